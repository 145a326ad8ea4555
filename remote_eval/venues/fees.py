"""The expert fee sheet of a lot (专家劳务费表): each expert of the committee at their home
pool's standard, or the higher of the two where the main centre says so (就高不就低)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock, formatting, pdf
from app.core.auth.models import Centre
from app.core.extensions import db
from bidding.models import Lot
from experts import sharing
from experts.models import Expert
from remote_eval.models import EvalSession, MemberKind, MemberStatus


@dataclass
class FeeRow:
    name: str
    home_centre: str
    venue_centre: str
    standard: Decimal
    higher: bool
    half_days: int
    amount: Decimal


@dataclass
class FeeSheet:
    lot: Lot
    started_at: dt.datetime | None
    ended_at: dt.datetime | None
    rows: list[FeeRow]

    @property
    def total(self) -> Decimal:
        return sum((r.amount for r in self.rows), Decimal("0.00"))


def fee_sheet(lot: Lot) -> FeeSheet:
    """Experts who sat on the lot's committee (removed members were not paid a sitting)."""
    session = db.session.execute(
        select(EvalSession)
        .where(EvalSession.lot_id == lot.id, EvalSession.sealed_at.is_(None))
        .order_by(EvalSession.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if session is None:
        return FeeSheet(lot, None, None, [])
    members = [
        m
        for m in session.members
        if m.kind == MemberKind.EXPERT and m.status != MemberStatus.REMOVED and m.expert_id
    ]
    starts = [m.signed_in_at for m in session.members if m.signed_in_at is not None]
    started = min(starts) if starts else None
    ended = session.finished_at or (clock.now() if started else None)
    days = sharing.half_days(ended - started) if started and ended else 1
    names = {c.id: c.name for c in db.session.execute(select(Centre)).scalars()}
    rows = []
    for m in members:
        expert = db.session.get(Expert, m.expert_id)
        assert expert is not None
        standard, higher = sharing.fee_rule(expert.centre_id, session.main_centre_id)
        rows.append(
            FeeRow(
                name=expert.name,
                home_centre=names.get(expert.centre_id, ""),
                venue_centre=names.get(m.venue_centre_id, ""),
                standard=standard,
                higher=higher,
                half_days=days,
                amount=standard * days,
            )
        )
    return FeeSheet(lot, started, ended, rows)


def _rule(row: FeeRow) -> str:
    return _("就高") if row.higher else _("本库标准")


def _headers() -> list[str]:
    return [
        _("专家"),
        _("所属专家库"),
        _("评标场地"),
        _("标准（元/半天）"),
        _("适用"),
        _("半天数"),
        _("金额（元）"),
    ]


def sheet_csv(sheet: FeeSheet) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_headers())
    for r in sheet.rows:
        writer.writerow(
            [r.name, r.home_centre, r.venue_centre, r.standard, _rule(r), r.half_days, r.amount]
        )
    writer.writerow([_("合计"), "", "", "", "", "", sheet.total])
    return out.getvalue()


def sheet_pdf(sheet: FeeSheet) -> bytes:
    lot = sheet.lot
    doc = pdf.Record(
        title="专家劳务费表",
        subtitle=f"{lot.code} · {lot.name}",
        blocks=[
            pdf.Fields(
                [
                    ("评标开始", formatting.cst(sheet.started_at) if sheet.started_at else "—"),
                    ("评标结束", formatting.cst(sheet.ended_at) if sheet.ended_at else "—"),
                    ("合计（元）", formatting.yuan(sheet.total)),
                ]
            ),
            pdf.Table(
                [
                    "专家",
                    "所属专家库",
                    "评标场地",
                    "标准（元/半天）",
                    "适用",
                    "半天数",
                    "金额（元）",
                ],
                [
                    [
                        r.name,
                        r.home_centre,
                        r.venue_centre,
                        str(r.standard),
                        "就高" if r.higher else "本库标准",
                        str(r.half_days),
                        str(r.amount),
                    ]
                    for r in sheet.rows
                ],
            ),
            pdf.Para(
                "劳务费按专家所属专家库的标准计付；主场交易中心选择“就高不就低”时，"
                "取所属专家库与主场标准中较高者。半天按 4 小时计，不足半天按半天计。",
                small=True,
            ),
        ],
        footer=f"Tender Hall 公共资源交易平台 · 专家劳务费表 {lot.code}",
    )
    return pdf.record_pdf(doc, reason="专家劳务费表")
