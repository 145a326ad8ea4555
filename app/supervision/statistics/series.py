"""The registry of statistics: each series once, with its title, columns, query and chart.

Pages, CSV, the JSON API and the portal's open data all walk this one table, so a series
reads the same everywhere; a new statistic is one more `SeriesDef`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core import formatting
from app.supervision.ratings.labels import LEVEL_LABELS
from app.supervision.ratings.models import RatingTarget
from app.supervision.ratings.queries import summary as rating_summary

from . import queries, svg
from .period import Period
from .plan_use import plan_use

Row = dict[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    kind: str = "text"  # text, int, money, rate, days, score


@dataclass(frozen=True)
class SeriesDef:
    key: str
    title: Any
    note: Any
    columns: tuple[Column, ...]
    fetch: Callable[[Period, int | None], list[Row]]
    chart: Callable[[list[Row], Period, int], Markup]


def pct(v: float) -> str:
    return f"{v:.0f}%"


def fmt_days(v: float) -> str:
    return f"{v:.1f}"


def cell(kind: str, value: Any) -> str:
    """A value as a table shows it, in the reader's language."""
    if value is None:
        return formatting.MISSING
    if kind == "money":
        return formatting.money(value)
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "days":
        if value < 1:
            return _("%(h)s 小时", h=f"{value * 24:.1f}")
        return _("%(d)s 天", d=f"{value:.1f}")
    if kind == "score":
        return f"{value:.1f}" if isinstance(value, float) else str(value)
    if kind == "int":
        return f"{value:,}"
    return str(value)


def json_value(kind: str, value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value) if kind == "text" and value is not None else value


def csv_value(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "rate":
        return f"{value * 100:.2f}"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)


def _csv_label(col: Column) -> str:
    label = str(col.label)
    return f"{label} (%)" if col.kind == "rate" else label


def to_csv(series: SeriesDef, rows: list[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_csv_label(c) for c in series.columns])
    for row in rows:
        writer.writerow([csv_value(c.kind, row.get(c.key)) for c in series.columns])
    # A byte-order mark lets spreadsheet programs read the Chinese text as UTF-8.
    return "\ufeff" + buf.getvalue()


def to_json(series: SeriesDef, rows: list[Row], period: Period) -> dict[str, Any]:
    return {
        "series": series.key,
        "title": str(series.title),
        "period": period.as_dict(),
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in series.columns],
        "rows": [{c.key: json_value(c.kind, r.get(c.key)) for c in series.columns} for r in rows],
    }


def _no_data() -> str:
    return _("本期间没有数据")


# ---- charts -------------------------------------------------------------------------


def _volume_chart(rows: list[Row], period: Period, width: int) -> Markup:
    months = period.months()
    centres = sorted({r["centre"] for r in rows})
    by = {(r["centre"], r["month"]): r["lots"] for r in rows}
    series = [(c, [by.get((c, m), 0) for m in months]) for c in centres]
    return svg.line_chart(_("每月开标的标段数"), months, series, empty=_no_data(), width=width)


def _monthly_rate(title: Any) -> Callable[[list[Row], Period, int], Markup]:
    def chart(rows: list[Row], period: Period, width: int) -> Markup:
        months = period.months()
        by = {r["month"]: r["rate"] for r in rows}
        values = [None if by.get(m) is None else by[m] * 100 for m in months]
        return svg.line_chart(
            str(title),
            months,
            [(str(title), values)],
            fmt=pct,
            empty=_no_data(),
            width=width,
        )

    return chart


def _bids_chart(rows: list[Row], _period: Period, width: int) -> Markup:
    if not any(r["lots"] for r in rows):
        return svg.bar_chart(_("收到 n 份投标的标段数"), [], [], empty=_no_data(), width=width)
    return svg.bar_chart(
        _("收到 n 份投标的标段数"),
        [r["bids"] for r in rows],
        [r["lots"] for r in rows],
        width=width,
    )


def _stages_chart(rows: list[Row], _period: Period, width: int) -> Markup:
    rows = [r for r in rows if r["days"] is not None]
    return svg.bar_chart(
        _("各阶段平均用时（天）"),
        [r["label"].split("（")[0].split(" (")[0] for r in rows],
        [r["days"] for r in rows],
        fmt=fmt_days,
        empty=_no_data(),
        width=width,
    )


def _warnings_chart(rows: list[Row], _period: Period, width: int) -> Markup:
    return svg.bar_chart(
        _("各类预警数"),
        [r["label"] for r in rows],
        [r["raised"] for r in rows],
        empty=_no_data(),
        width=width,
    )


def _experts_chart(rows: list[Row], period: Period, width: int) -> Markup:
    months = period.months()
    by = {r["month"]: r for r in rows}
    series = [
        (_("确认参加"), [by[m]["confirmed"] if m in by else 0 for m in months]),
        (_("拒绝"), [by[m]["declined"] if m in by else 0 for m in months]),
        (_("未答复"), [by[m]["no_answer"] if m in by else 0 for m in months]),
    ]
    return svg.line_chart(_("专家邀请答复（人次）"), months, series, empty=_no_data(), width=width)


def _plan_chart(rows: list[Row], _period: Period, width: int) -> Markup:
    """Where the plan money stands, summed over the centres shown, in 万元."""
    if not rows:
        return svg.bar_chart(_("采购计划金额（万元）"), [], [], empty=_no_data(), width=width)
    keys = (
        ("filed", _("报送")),
        ("approved", _("备案")),
        ("used", _("已使用")),
        ("returned", _("已退回")),
    )
    return svg.bar_chart(
        _("采购计划金额（万元）"),
        [label for _key, label in keys],
        [float(sum(r[key] for r in rows)) / 10_000 for key, _label in keys],
        width=width,
    )


def _staff_chart(rows: list[Row], _period: Period, width: int) -> Markup:
    rows = [r for r in rows if r["rate"] is not None][:12]
    return svg.bar_chart(
        _("按时完成率（代理机构）"),
        [r["agency"] for r in rows],
        [r["rate"] * 100 for r in rows],
        fmt=pct,
        top=100,
        empty=_no_data(),
        width=width,
    )


def _ratings_chart(title: Any) -> Callable[[list[Row], Period, int], Markup]:
    def chart(rows: list[Row], _period: Period, width: int) -> Markup:
        rows = rows[:12]
        return svg.bar_chart(
            str(title),
            [r["party"] for r in rows],
            [r["satisfied_rate"] * 100 for r in rows],
            fmt=pct,
            top=100,
            empty=_no_data(),
            width=width,
        )

    return chart


def _ratings(target: RatingTarget) -> Callable[[Period, int | None], list[Row]]:
    def fetch(period: Period, centre_id: int | None) -> list[Row]:
        return [
            {
                "party": s.party,
                "count": s.count,
                "average": s.average,
                "average_label": str(LEVEL_LABELS[max(1, min(5, round(s.average)))]),
                "satisfied_rate": s.satisfied_rate,
                "defaults": s.defaults,
                "bad": s.bad,
                "open_follow_ups": s.open_follow_ups,
            }
            for s in rating_summary(target, period.start_at, period.end_at, centre_id)
        ]

    return fetch


_RATING_COLUMNS = (
    Column("count", _l("评价数"), "int"),
    Column("average", _l("平均等级（5 为非常满意）"), "score"),
    Column("average_label", _l("总体评价")),
    Column("satisfied_rate", _l("满意率"), "rate"),
    Column("defaults", _l("默认好评"), "int"),
    Column("bad", _l("差评"), "int"),
    Column("open_follow_ups", _l("未办结整改"), "int"),
)

SERIES: tuple[SeriesDef, ...] = (
    SeriesDef(
        "volume",
        _l("交易量与金额"),
        _l("按投标截止（开标）月份统计，每个交易中心一行。"),
        (
            Column("centre", _l("交易中心")),
            Column("month", _l("月份")),
            Column("lots", _l("标段数"), "int"),
            Column("budget", _l("预算金额"), "money"),
            Column("awarded", _l("中标金额"), "money"),
        ),
        queries.volume,
        _volume_chart,
    ),
    SeriesDef(
        "savings",
        _l("节支率"),
        _l("按定标月份统计：（预算 − 中标金额）÷ 预算。"),
        (
            Column("month", _l("月份")),
            Column("lots", _l("定标标段数"), "int"),
            Column("budget", _l("预算金额"), "money"),
            Column("awarded", _l("中标金额"), "money"),
            Column("saved", _l("节支金额"), "money"),
            Column("rate", _l("节支率"), "rate"),
        ),
        queries.savings,
        _monthly_rate(_l("节支率")),
    ),
    SeriesDef(
        "bids",
        _l("每个标段的投标数"),
        _l("投标截止已过的标段，按收到的有效投标文件份数分组。"),
        (
            Column("bids", _l("投标数")),
            Column("lots", _l("标段数"), "int"),
            Column("share", _l("占比"), "rate"),
        ),
        queries.bids_per_lot,
        _bids_chart,
    ),
    SeriesDef(
        "failure",
        _l("流标率"),
        _l("按投标截止月份统计已截止的标段中流标的比例。"),
        (
            Column("month", _l("月份")),
            Column("lots", _l("已截止标段数"), "int"),
            Column("failed", _l("流标数"), "int"),
            Column("rate", _l("流标率"), "rate"),
        ),
        queries.failure,
        _monthly_rate(_l("流标率")),
    ),
    SeriesDef(
        "stages",
        _l("各阶段平均用时"),
        _l("投标截止在本期间的标段，各阶段从开始到完成的平均时间。"),
        (
            Column("label", _l("阶段")),
            Column("lots", _l("已完成标段数"), "int"),
            Column("days", _l("平均用时"), "days"),
        ),
        queries.stage_durations,
        _stages_chart,
    ),
    SeriesDef(
        "experts",
        _l("专家参与、拒绝与考评"),
        _l("按邀请月份统计专家的答复；考评按考评月份统计平均分。"),
        (
            Column("month", _l("月份")),
            Column("confirmed", _l("确认参加"), "int"),
            Column("declined", _l("拒绝"), "int"),
            Column("no_answer", _l("未答复"), "int"),
            Column("decline_rate", _l("拒绝及未答复率"), "rate"),
            Column("appraised", _l("考评人次"), "int"),
            Column("score", _l("考评平均分"), "score"),
        ),
        queries.experts,
        _experts_chart,
    ),
    SeriesDef(
        "staff",
        _l("代理机构按时办理情况"),
        _l("本期间到期的法定环节：候选人公示、合同备案、异议答复；按时数/到期数。"),
        (
            Column("agency", _l("代理机构")),
            Column("publicity", _l("候选人公示")),
            Column("contract", _l("合同备案")),
            Column("objection", _l("异议答复")),
            Column("due", _l("到期环节"), "int"),
            Column("on_time", _l("按时完成"), "int"),
            Column("rate", _l("按时完成率"), "rate"),
        ),
        queries.staff_performance,
        _staff_chart,
    ),
    SeriesDef(
        "warnings",
        _l("监督预警及答复用时"),
        _l("本期间发现的预警，按监察规则统计：发出、答复、办结的件数，发出至答复的平均小时数。"),
        (
            Column("label", _l("监察规则")),
            Column("raised", _l("预警数"), "int"),
            Column("sent", _l("已发出"), "int"),
            Column("answered", _l("已答复"), "int"),
            Column("closed", _l("已办结"), "int"),
            Column("hours", _l("平均答复用时（小时）"), "score"),
        ),
        queries.warnings_by_rule,
        _warnings_chart,
    ),
    SeriesDef(
        "plans",
        _l("采购计划备案与使用"),
        _l(
            "本期间报送的采购计划按交易中心（财政部门）统计报送、备案、项目已使用的金额，"
            "以及标段终止后退回计划的金额。"
        ),
        (
            Column("centre", _l("交易中心")),
            Column("lines", _l("计划条数"), "int"),
            Column("filed", _l("报送金额"), "money"),
            Column("approved", _l("备案金额"), "money"),
            Column("used", _l("已使用"), "money"),
            Column("returned", _l("已退回"), "money"),
            Column("rate", _l("使用率"), "rate"),
        ),
        plan_use,
        _plan_chart,
    ),
    SeriesDef(
        "ratings_centre",
        _l("交易中心服务评价"),
        _l("参与投标的供应商对交易中心服务的评价（好差评），含期满默认好评。"),
        (Column("party", _l("交易中心")), *_RATING_COLUMNS),
        _ratings(RatingTarget.CENTRE),
        _ratings_chart(_l("交易中心服务满意率")),
    ),
    SeriesDef(
        "ratings_agency",
        _l("代理机构服务评价"),
        _l("参与投标的供应商对代理机构服务的评价（好差评），含期满默认好评。"),
        (Column("party", _l("代理机构")), *_RATING_COLUMNS),
        _ratings(RatingTarget.AGENCY),
        _ratings_chart(_l("代理机构服务满意率")),
    ),
)
BY_KEY = {s.key: s for s in SERIES}
KEYS = tuple(BY_KEY)
