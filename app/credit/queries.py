"""What the credit pages, the API and the CSV export read."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import or_, select

from app.core import clock, formatting
from app.core.auth.models import Organisation
from app.core.extensions import db
from app.credit.labels import kind_label
from app.credit.models import CreditKind, CreditRecord
from experts.models import CreditEntry, Expert

MAX_ROWS = 500


@dataclass(frozen=True)
class Filter:
    q: str = ""  # name or credit code
    kind: str = ""  # a CreditKind value
    in_force: bool = False


def supplier_records(f: Filter = Filter(), limit: int = MAX_ROWS) -> list[CreditRecord]:
    """Every supplier record, newest first: they are public (信用信息公示)."""
    stmt = select(CreditRecord).join(Organisation, Organisation.id == CreditRecord.organisation_id)
    if f.q:
        like = f"%{f.q}%"
        stmt = stmt.where(or_(Organisation.name.like(like), Organisation.credit_code.like(like)))
    if f.kind in {k.value for k in CreditKind}:
        stmt = stmt.where(CreditRecord.kind == CreditKind(f.kind))
    if f.in_force:
        now = clock.now()
        stmt = stmt.where(
            CreditRecord.lifted_at.is_(None),
            CreditRecord.start_at <= now,
            or_(CreditRecord.end_at.is_(None), CreditRecord.end_at > now),
        )
    stmt = stmt.order_by(CreditRecord.start_at.desc(), CreditRecord.id.desc()).limit(limit)
    return list(db.session.execute(stmt).scalars())


def expert_records(
    centre_id: int | None, limit: int = MAX_ROWS
) -> list[tuple[CreditEntry, Expert]]:
    """Experts' credit records of one centre's pool (all pools when None), newest first."""
    stmt = select(CreditEntry, Expert).join(Expert, Expert.id == CreditEntry.expert_id)
    if centre_id is not None:
        stmt = stmt.where(Expert.centre_id == centre_id)
    stmt = stmt.order_by(CreditEntry.created_at.desc(), CreditEntry.id.desc()).limit(limit)
    return [(e, x) for e, x in db.session.execute(stmt).all()]


def state_label(item: CreditRecord) -> str:
    from flask_babel import gettext as _

    now = clock.now()
    if item.lifted_at is not None:
        return _("已解除")
    if item.start_at > now:
        return _("未开始")
    if item.end_at is not None and item.end_at <= now:
        return _("已到期")
    return _("执行中")


def end_day(item: CreditRecord | CreditEntry) -> str:
    """The last day of the period (the record ends at 24:00 of it)."""
    import datetime as dt

    if item.end_at is None:
        return ""
    return (clock.cst_date(item.end_at) - dt.timedelta(days=1)).isoformat()


def csv_text(rows: Iterable[CreditRecord]) -> str:
    """The published supplier records as CSV (UTF-8 with BOM, so spreadsheet programs read
    the Chinese right)."""
    from flask_babel import gettext as _

    out = io.StringIO()
    out.write("\ufeff")
    w = csv.writer(out)
    w.writerow(
        [
            _("单位名称"),
            _("统一社会信用代码"),
            _("类型"),
            _("认定机关"),
            _("依据"),
            _("处理结果"),
            _("开始日期"),
            _("截止日期"),
            _("状态"),
            _("解除时间"),
            _("解除理由"),
        ]
    )
    for r in rows:
        w.writerow(
            [
                r.organisation.name,
                r.organisation.credit_code or "",
                kind_label(r.kind),
                r.authority,
                r.basis,
                r.result,
                clock.cst_date(r.start_at).isoformat(),
                end_day(r),
                state_label(r),
                formatting.cst(r.lifted_at) if r.lifted_at else "",
                r.lift_reason,
            ]
        )
    return out.getvalue()
