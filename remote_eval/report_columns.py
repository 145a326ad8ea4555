"""The columns of the report's ranking tables (五、汇总 and 十、候选人), chosen by the method.

A scoring method (综合评分法 and its kin) ranks by total score, so its tables show the price,
technical, commercial and price scores and the total. A method without scores (最低评标价法,
经评审的合理最低投标价法) ranks by evaluated price and breaks ties by the time the bid was
handed in, so its tables show exactly those two things: score columns would only be empty.
Under the ranking the report states the method's tie rule, as the room's summary does.

The HTML report and the PDF both lay these tables out from here, so the choice is made
once. Only the signed body is read: the report renders the same whatever the registry
holds later, except for reports signed before the body recorded `uses_scores` and
`tie_rule`, which fall back to the method's current class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from remote_eval import methods

# How a cell is written: the HTML template and the PDF each format these kinds.
TEXT, MONEY, SCORE, TIME, RANK = "text", "money", "score", "time", "rank"


@dataclass(frozen=True)
class Column:
    key: str  # the field of a `results` or `candidates` row
    label: Any  # lazy Chinese heading (the signed report is Chinese)
    kind: str
    numeric: bool = False  # right-aligned


BIDDER = Column("name", _l("投标人"), TEXT)
SCORED_SUMMARY = (
    BIDDER,
    Column("price", _l("报价（元）"), MONEY, True),
    Column("technical", _l("技术分"), SCORE, True),
    Column("commercial", _l("商务分"), SCORE, True),
    Column("price_score", _l("价格分"), SCORE, True),
    Column("total", _l("总分"), SCORE, True),
    Column("rank", _l("排名"), RANK, True),
)
PRICE_SUMMARY = (
    BIDDER,
    Column("price", _l("评标价（元）"), MONEY, True),
    Column("submitted_at", _l("投标文件递交时间"), TIME),
    Column("rank", _l("排名"), RANK, True),
)
ORDER = Column("order", _l("顺序"), RANK)  # candidates are all valid: the number shows
SCORED_CANDIDATES = (
    ORDER,
    BIDDER,
    Column("price", _l("报价（元）"), MONEY, True),
    Column("total", _l("总分"), SCORE, True),
)
PRICE_CANDIDATES = (
    ORDER,
    BIDDER,
    Column("price", _l("评标价（元）"), MONEY, True),
    Column("submitted_at", _l("投标文件递交时间"), TIME),
)


@dataclass(frozen=True)
class Cell:
    kind: str
    value: Any
    numeric: bool
    valid: bool = True  # for RANK: a rejected bid has no rank


@dataclass(frozen=True)
class RankingTable:
    headings: list[Column]
    rows: list[tuple[bool, list[Cell]]]  # (the bid is valid, its cells)


@dataclass(frozen=True)
class RankingTables:
    summary_title: str  # the section's heading, without its number
    summary: RankingTable
    candidates: RankingTable
    tie_rule: str


def uses_scores(doc: dict[str, Any]) -> bool:
    recorded = doc["method"].get("uses_scores")
    if recorded is not None:
        return bool(recorded)
    return methods.get(doc["method"]["code"]).uses_scores


def tie_rule(doc: dict[str, Any]) -> str:
    recorded = doc["method"].get("tie_rule")
    return str(recorded if recorded is not None else methods.get(doc["method"]["code"]).tie_rule)


def _table(columns: tuple[Column, ...], rows: list[dict[str, Any]]) -> RankingTable:
    return RankingTable(
        headings=list(columns),
        rows=[
            (
                bool(row.get("valid", True)),
                [
                    Cell(c.kind, row.get(c.key), c.numeric, bool(row.get("valid", True)))
                    for c in columns
                ],
            )
            for row in rows
        ],
    )


def ranking_tables(doc: dict[str, Any]) -> RankingTables:
    """The summary and candidates tables of a report body, with the method's columns."""
    # Bodies signed before results carried `submitted_at` have it under `bidders`.
    received = {b["bid_id"]: b.get("received_at") for b in doc.get("bidders", [])}

    def with_time(row: dict[str, Any]) -> dict[str, Any]:
        return {"submitted_at": received.get(row["bid_id"]), **row}

    scored = uses_scores(doc)
    return RankingTables(
        summary_title=str(_l("评分汇总与价格分") if scored else _l("评标价汇总与排序")),
        summary=_table(
            SCORED_SUMMARY if scored else PRICE_SUMMARY,
            [with_time(r) for r in doc["results"]],
        ),
        candidates=_table(
            SCORED_CANDIDATES if scored else PRICE_CANDIDATES,
            [with_time(c) for c in doc["candidates"]],
        ),
        tie_rule=tie_rule(doc),
    )


def plain(cell: Cell) -> str:
    """A cell as plain text (the PDF): amounts as signed, times in CST to the second."""
    from app.core import formatting

    if cell.kind == RANK:
        return str(cell.value) if cell.value else ("—" if cell.valid else "否决")
    if cell.kind == TIME:
        return formatting.cst(cell.value, formatting.SECOND)
    return "—" if cell.value in (None, "") else str(cell.value)
