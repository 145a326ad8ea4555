"""Plan lines: file, correct, approve or return; projects draw on approved ones.

Every function checks its policy again, raises a DomainError with a user-facing message,
flushes (never commits) and writes its audit entry in the caller's transaction. What a
line has left only moves by one conditional UPDATE (`draw`), so two projects registered at
the same moment cannot together spend more than the line holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select, update

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, Role, User
from app.core.db import to_money
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from app.core.formatting import yuan
from bidding.forms import _money, category_field, enum_field, text_field
from bidding.labels import METHOD_LABELS, method_label
from bidding.models import Method, Project
from bidding.plans import actions, policies
from bidding.plans.models import PlanLine, PlanStatus
from bidding.settings import needs_method_approval, open_tender_threshold

LINE_FIELDS = (
    "name",
    "budget_item_code",
    "funding_source",
    "amount",
    "category_code",
    "method",
    "method_reason",
    "expected_month",
)
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
_ITEM_CODE = re.compile(r"[0-9A-Za-z][0-9A-Za-z.\-]{0,39}")


class PlanOverdrawn(Conflict):
    """A project would spend more than its plan line has left (the attempt is audited)."""


def clean_line(data: Mapping[str, Any], centre: Centre) -> dict[str, Any]:
    """What a page (strings) or the API (typed values) hands in, checked and typed."""
    name = text_field(data.get("name"), _("采购项目名称"), "", "name", required=True, max_len=200)
    item = str(data.get("budget_item_code") or "").strip()
    if not item:
        raise ValidationError(_("请填写预算项目编码。"), field="budget_item_code")
    if not _ITEM_CODE.fullmatch(item):
        raise ValidationError(
            _("预算项目编码只能由字母、数字、点和连字符组成，最多 40 位，例如 2130101-01。"),
            field="budget_item_code",
        )
    funding = text_field(
        data.get("funding_source"), _("资金来源"), "", "funding_source", required=True, max_len=100
    )
    amount = _money(data.get("amount"), _("计划金额"), "", "amount")
    if amount is None:
        raise ValidationError(_("请填写计划金额。"), field="amount")
    if amount <= 0:
        raise ValidationError(_("计划金额应大于 0。"), field="amount")
    category = category_field(data.get("category_code"), "", "category_code")
    method = enum_field(
        Method, data.get("method"), _("拟采用的采购方式"), "", "method", METHOD_LABELS
    )
    reason = text_field(
        data.get("method_reason"),
        _("采购方式理由"),
        "",
        "method_reason",
        required=False,
        max_len=2000,
    )
    if needs_method_approval(method.value, amount, centre.settings) and not reason:
        raise ValidationError(
            _(
                "计划金额 %(amount)s 达到公开招标数额标准（%(limit)s），"
                "拟采用“%(method)s”须说明理由，由财政部门审核批准。",
                amount=yuan(amount),
                limit=yuan(open_tender_threshold(centre.settings)),
                method=method_label(method),
            ),
            field="method_reason",
        )
    month = str(data.get("expected_month") or "").strip()
    if not _MONTH.fullmatch(month):
        raise ValidationError(
            _("预计采购时间应为“YYYY-MM”格式的年月，例如 2026-05。"), field="expected_month"
        )
    return {
        "name": name,
        "budget_item_code": item,
        "funding_source": funding,
        "amount": amount,
        "category_code": category,
        "method": method,
        "method_reason": reason,
        "expected_month": month,
    }


def _snapshot(line: PlanLine) -> dict[str, Any]:
    return {
        "code": line.code,
        "name": line.name,
        "budget_item_code": line.budget_item_code,
        "funding_source": line.funding_source,
        "amount": str(line.amount),
        "category_code": line.category_code,
        "method": line.method.value,
        "method_reason": line.method_reason,
        "expected_month": line.expected_month,
    }


def _next_code(centre: Centre, year: int) -> str:
    prefix = f"JH{centre.code}{year}"
    codes = db.session.execute(
        select(PlanLine.code).where(PlanLine.code.like(prefix + "%"))
    ).scalars()
    highest = max((int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()), default=0)
    return f"{prefix}{highest + 1:04d}"


def file_line(user: User, data: Mapping[str, Any]) -> PlanLine:
    """File a plan line of the user's purchaser with the centre's finance office."""
    policies.ensure_can_file_plan(user)
    centre = db.session.get(Centre, policies.purchaser_centre_id(user))
    assert centre is not None  # is_purchaser_staff guarantees a centre
    values = clean_line(data, centre)
    now = clock.now()
    # Two filings in one centre must not draw the same number (PostgreSQL; SQLite
    # serialises writers anyway).
    db.session.execute(select(Centre.id).where(Centre.id == centre.id).with_for_update())
    line = PlanLine(
        code=_next_code(centre, clock.cst_date(now).year),
        centre_id=centre.id,
        purchaser_id=user.organisation_id,
        status=PlanStatus.SUBMITTED,
        submitted_at=now,
        created_by_id=user.id,
        created_at=now,
        used=Decimal("0"),
        **values,
    )
    db.session.add(line)
    db.session.flush()
    record(actions.PLAN_LINE_FILED, line, _snapshot(line), actor=user)
    return line


def resubmit_line(
    user: User, line: PlanLine, data: Mapping[str, Any], expected_version: int | None = None
) -> PlanLine:
    """Correct a returned line and file it again."""
    policies.ensure_is_own_line(user, line)
    if expected_version is not None and expected_version != line.version:
        raise Conflict(_("该采购计划已被他人修改，请刷新后重试。"), field="version")
    if line.status != PlanStatus.RETURNED:
        raise Conflict(_("只有被退回的采购计划可以修改后重新提交。"))
    merged = {key: getattr(line, key) for key in LINE_FIELDS}
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能修改的字段：%(f)s。", f="、".join(sorted(unknown))), field=sorted(unknown)[0]
        )
    merged.update(data)
    values = clean_line(merged, line.centre)
    before = _snapshot(line)
    for key, value in values.items():
        setattr(line, key, value)
    line.status = PlanStatus.SUBMITTED
    line.submitted_at = clock.now()
    db.session.flush()
    after = _snapshot(line)
    record(
        actions.PLAN_LINE_RESUBMITTED,
        line,
        {
            "changes": {k: [before[k], after[k]] for k in after if before[k] != after[k]},
            "returned_for": line.return_reason,
        },
        actor=user,
    )
    return line


def _ensure_reviewable(line: PlanLine) -> None:
    if line.status != PlanStatus.SUBMITTED:
        raise Conflict(_("该采购计划已审核（或已退回），不能重复审核。"))


def approve_line(user: User, line: PlanLine, note: str = "") -> PlanLine:
    """The finance office files the line; a method away from open tendering above the
    threshold is approved with it, and the approval says so."""
    policies.ensure_can_review(user, line)
    _ensure_reviewable(line)
    note = text_field(note, _("审核意见"), "", "note", required=False, max_len=2000)
    method_approved = needs_method_approval(line.method.value, line.amount, line.centre.settings)
    line.status = PlanStatus.APPROVED
    line.review_note = note
    line.return_reason = ""
    line.reviewed_at = clock.now()
    line.reviewed_by_id = user.id
    db.session.flush()
    record(
        actions.PLAN_LINE_APPROVED,
        line,
        {
            "code": line.code,
            "amount": str(line.amount),
            "method": line.method.value,
            "method_change_approved": method_approved,
            "method_reason": line.method_reason if method_approved else "",
            "note": note,
        },
        actor=user,
    )
    return line


def return_line(user: User, line: PlanLine, reason: str) -> PlanLine:
    """The finance office sends the line back with the reason the purchaser must address."""
    policies.ensure_can_review(user, line)
    _ensure_reviewable(line)
    reason = text_field(reason, _("退回理由"), "", "reason", required=True, max_len=2000)
    line.status = PlanStatus.RETURNED
    line.return_reason = reason
    line.reviewed_at = clock.now()
    line.reviewed_by_id = user.id
    db.session.flush()
    record(actions.PLAN_LINE_RETURNED, line, {"code": line.code, "reason": reason}, actor=user)
    return line


# ---------------------------------------------------------------- projects draw on lines
def check_project_line(user: User, line: PlanLine, purchaser_id: int, method: Method) -> None:
    """Can a project of this purchaser, by this method, draw on the line at all?"""
    policies.ensure_can_draw_on_line(user, line)
    if line.status != PlanStatus.APPROVED:
        raise Conflict(
            _("采购计划“%(code)s”尚未备案通过，不能据此登记项目。", code=line.code),
            field="plan_line_id",
        )
    if line.purchaser_id != purchaser_id:
        raise ValidationError(
            _(
                "采购计划“%(code)s”属于%(org)s，与项目的采购人不一致。",
                code=line.code,
                org=line.purchaser.name,
            ),
            field="plan_line_id",
        )


def check_project_method(line: PlanLine, method: Method, total: Decimal) -> None:
    """A method other than the line's needs the approval recorded: refused when the
    project's budget is at or above the open-tendering threshold."""
    if method != line.method and needs_method_approval(method.value, total, line.centre.settings):
        raise ValidationError(
            _(
                "项目预算 %(amount)s 达到公开招标数额标准（%(limit)s），采购计划“%(code)s”"
                "备案的采购方式为“%(planned)s”；改用“%(method)s”须经财政部门批准，"
                "请以该方式另行备案采购计划。",
                amount=yuan(total),
                limit=yuan(open_tender_threshold(line.centre.settings)),
                code=line.code,
                planned=method_label(line.method),
                method=method_label(method),
            ),
            field="method",
        )


def check_unplanned_method(centre: Centre, method: Method, total: Decimal) -> None:
    """Without a plan line nobody has approved the method: a method other than open
    tendering at or above the threshold is refused until a line approving it is named."""
    if needs_method_approval(method.value, total, centre.settings):
        raise ValidationError(
            _(
                "项目预算 %(amount)s 达到公开招标数额标准（%(limit)s），采用“%(method)s”须经财政部门"
                "批准：请选择已备案该采购方式的采购计划。",
                amount=yuan(total),
                limit=yuan(open_tender_threshold(centre.settings)),
                method=method_label(method),
            ),
            field="plan_line_id",
        )


def reserve(line: PlanLine, amount: Decimal) -> None:
    """Spend `amount` of the line (a negative amount gives some back), or refuse.

    One conditional UPDATE: the database checks what is left as it writes, and a second
    transaction drawing on the same line waits for the first and then sees its spend.
    """
    if amount == 0:
        return
    result = db.session.execute(
        update(PlanLine)
        .where(
            PlanLine.id == line.id,
            PlanLine.status == PlanStatus.APPROVED,
            PlanLine.used + amount <= PlanLine.amount,
            PlanLine.used + amount >= 0,
        )
        .values(used=PlanLine.used + amount, version=PlanLine.version + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(line, ["used", "version", "status"])
    if result.rowcount != 1:
        raise PlanOverdrawn(
            _(
                "项目预算超出采购计划“%(code)s”的剩余额度：本次需 %(need)s，剩余 %(left)s。",
                code=line.code,
                need=yuan(amount),
                left=yuan(line.remaining),
            ),
            field="budget",
            plan_line_id=line.id,
            amount=str(amount),
            remaining=str(line.remaining),
        )


def record_draw(user: User, line: PlanLine, project: Project, amount: Decimal) -> None:
    """The audit entry of a reserved amount, once the project has its number."""
    if amount == 0:
        return
    record(
        actions.PLAN_LINE_DRAWN,
        line,
        {
            "project_id": project.id,
            "project_code": project.code,
            "amount": str(amount),
            "used": str(line.used),
            "remaining": str(line.remaining),
        },
        actor=user,
    )


def draw(user: User, line: PlanLine, project: Project, amount: Decimal) -> None:
    """Reserve and record in one step (a lot added or re-budgeted)."""
    reserve(line, amount)
    record_draw(user, line, project, amount)


def audit_refused_draw(user: User, exc: PlanOverdrawn) -> None:
    """Keep the refused attempt (in its own transaction, after the caller's rolled back)."""
    record(
        actions.PLAN_LINE_DRAW_REFUSED,
        object_type="plan_line",
        object_id=exc.details.get("plan_line_id"),
        data={
            "amount": exc.details.get("amount"),
            "remaining": exc.details.get("remaining"),
            "reason": str(exc.message),
        },
        actor=user,
    )


@contextmanager
def overdraw_audited(user: User) -> Iterator[None]:
    """Around a command that may draw on a line: an overdraw rolls the command back, and
    its attempt is kept in the audit log before the refusal goes on to the caller."""
    try:
        yield
    except PlanOverdrawn as exc:
        db.session.rollback()
        audit_refused_draw(user, exc)
        db.session.commit()
        raise


# ---------------------------------------------------------------- reading
def get_line(line_id: int) -> PlanLine:
    line = db.session.get(PlanLine, line_id)
    if line is None:
        raise NotFound(_("采购计划不存在。"))
    return line


def lines_visible_to(user: User, status: str | None = None) -> Select[tuple[PlanLine]]:
    """Purchasers see their own lines; supervisors and admins the centre's; agency staff
    the centre's approved lines."""
    policies.ensure_can_list_plans(user)
    stmt = select(PlanLine).order_by(PlanLine.id.desc())
    if user.role == Role.PURCHASER:
        stmt = stmt.where(PlanLine.purchaser_id == user.organisation_id)
    elif user.role == Role.STAFF:
        stmt = stmt.where(
            PlanLine.centre_id == user.centre_id, PlanLine.status == PlanStatus.APPROVED
        )
    elif not (user.role == Role.ADMIN and user.centre_id is None):
        stmt = stmt.where(PlanLine.centre_id == user.centre_id)
    if status:
        stmt = stmt.where(PlanLine.status == PlanStatus(status))
    return stmt


def totals(stmt: Select[tuple[PlanLine]]) -> dict[str, Decimal]:
    """Amount filed, drawn and left over the lines of a listing (the finance office's view)."""
    sub = stmt.order_by(None).subquery()
    amount, used = db.session.execute(
        select(func.coalesce(func.sum(sub.c.amount), 0), func.coalesce(func.sum(sub.c.used), 0))
    ).one()
    # The sums keep the column's Money type, so they come back as yuan already.
    amount_yuan, used_yuan = to_money(amount), to_money(used)
    return {"amount": amount_yuan, "used": used_yuan, "remaining": amount_yuan - used_yuan}


def projects_of(line: PlanLine) -> list[Project]:
    return list(
        db.session.execute(
            select(Project).where(Project.plan_line_id == line.id).order_by(Project.id)
        ).scalars()
    )


def lines_to_draw(user: User, purchaser_id: int | None = None) -> list[PlanLine]:
    """Approved lines with something left, for the project form of agency staff."""
    if not policies.is_agency_staff(user):
        return []
    stmt = select(PlanLine).where(
        PlanLine.centre_id == user.centre_id,
        PlanLine.status == PlanStatus.APPROVED,
        PlanLine.used < PlanLine.amount,
    )
    if purchaser_id is not None:
        stmt = stmt.where(PlanLine.purchaser_id == purchaser_id)
    return list(db.session.execute(stmt.order_by(PlanLine.code)).scalars())
