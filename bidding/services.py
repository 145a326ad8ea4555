"""Use cases of the procurement lifecycle: register projects and lots, publish, terminate.

Every function takes ORM objects and the acting user, checks the policy again, raises a
DomainError with a user-facing message, flushes (never commits) and writes its audit
entry in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, select

from app.core import clock, formatting, search
from app.core.audit import record
from app.core.auth.models import Centre, Organisation, OrgKind, Role, User
from app.core.calendar import calendar_for
from app.core.db import to_money
from app.core.errors import Conflict, NotFound, ValidationError
from app.core.extensions import db
from app.core.formatting import yuan
from app.core.i18n import N_
from bidding import categories, clocks, policies
from bidding.models import (
    Announcement,
    AnnouncementKind,
    EvalMethod,
    Lot,
    LotStatus,
    Method,
    Project,
)

MAX_LOTS = 50
MAX_COMMITTEE = 49
TITLE_MAX = 300

METHOD_LABELS: dict[str, str] = {
    "open": N_("公开招标"),
    "invited": N_("邀请招标"),
    "negotiation": N_("竞争性谈判"),
    "consultation": N_("竞争性磋商"),
    "inquiry": N_("询价"),
    "single_source": N_("单一来源"),
}
EVAL_LABELS: dict[str, str] = {
    "lowest_price": N_("最低评标价法"),
    "comprehensive": N_("综合评分法"),
}
STATUS_LABELS: dict[str, str] = {
    "draft": N_("登记中"),
    "published": N_("公告中"),
    "suspended": N_("已暂停"),
    "closed": N_("投标已截止"),
    "opened": N_("已开标"),
    "failed": N_("流标"),
    "evaluating": N_("评标中"),
    "awarded": N_("已定标"),
    "terminated": N_("已终止"),
}
KIND_LABELS: dict[str, str] = {
    "intent": N_("采购意向"),
    "tender": N_("招标公告"),
    "clarification": N_("澄清/更正公告"),
    "candidates": N_("中标候选人公示"),
    "result": N_("中标结果公告"),
    "contract": N_("合同公告"),
    "termination": N_("终止公告"),
}
# States from which a lot can no longer be terminated: it is finished either way.
_FINAL = (LotStatus.AWARDED, LotStatus.TERMINATED)

LOT_FIELDS = (
    "name",
    "category_code",
    "budget",
    "ceiling_price",
    "bid_bond",
    "evaluation_method",
    "committee_size",
    "validity_days",
    "price_form_fields",
    "doc_start_at",
    "doc_end_at",
    "bid_deadline",
    "opening_place",
)


# ---------------------------------------------------------------------------------------
# Formatting helpers shared by messages, notice bodies and templates
# ---------------------------------------------------------------------------------------


def method_label(method: Method | str) -> str:
    return _(METHOD_LABELS.get(str(method), str(method)))


def status_label(status: LotStatus | str) -> str:
    return _(STATUS_LABELS.get(str(status), str(status)))


def kind_label(kind: AnnouncementKind | str) -> str:
    return _(KIND_LABELS.get(str(kind), str(kind)))


# ---------------------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------------------


def _config() -> Mapping[str, Any]:
    return current_app.config


def _centre_setting(project_or_centre_settings: Mapping[str, Any] | None, key: str) -> Any:
    return (project_or_centre_settings or {}).get(key)


def bond_max_ratio(centre_settings: Mapping[str, Any] | None) -> Decimal:
    value = _centre_setting(centre_settings, "bid_bond_max_ratio") or _config().get(
        "BID_BOND_MAX_RATIO", clocks.DEFAULT_BID_BOND_MAX_RATIO
    )
    return Decimal(str(value))


def committee_rule(centre_settings: Mapping[str, Any] | None) -> tuple[int, int, Decimal]:
    """(minimum size, minimum size for large budgets, the budget that counts as large)."""
    cfg = _config()
    small = _centre_setting(centre_settings, "committee_min_size") or cfg.get(
        "COMMITTEE_MIN_SIZE", clocks.DEFAULT_COMMITTEE_MIN_SIZE
    )
    large = _centre_setting(centre_settings, "committee_large_min_size") or cfg.get(
        "COMMITTEE_LARGE_MIN_SIZE", clocks.DEFAULT_COMMITTEE_LARGE_MIN_SIZE
    )
    threshold = _centre_setting(centre_settings, "committee_large_budget") or cfg.get(
        "COMMITTEE_LARGE_BUDGET", clocks.DEFAULT_COMMITTEE_LARGE_BUDGET
    )
    return int(small), int(large), Decimal(str(threshold))


# ---------------------------------------------------------------------------------------
# Input coercion (pages hand in strings, the API hands in typed values)
# ---------------------------------------------------------------------------------------


def _label(prefix: str, text: str) -> str:
    return f"{prefix}{text}"


def _money(value: Any, what: str, prefix: str, field: str) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(
            _label(
                prefix,
                _("%(what)s应为金额（单位：元，最多两位小数），例如 1250000.00。", what=what),
            ),
            field=field,
        ) from None
    if not amount.is_finite():
        raise ValidationError(_label(prefix, _("%(what)s不是有效的金额。", what=what)), field=field)
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(
            _label(prefix, _("%(what)s最多保留两位小数（精确到分）。", what=what)), field=field
        )
    if abs(amount) >= Decimal("1e14"):
        raise ValidationError(_label(prefix, _("%(what)s超出允许范围。", what=what)), field=field)
    return to_money(amount)


def _int(value: Any, what: str, prefix: str, field: str, default: int) -> int:
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    if isinstance(value, bool):
        raise ValidationError(_label(prefix, _("%(what)s应为整数。", what=what)), field=field)
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValidationError(
            _label(prefix, _("%(what)s应为整数。", what=what)), field=field
        ) from None


def _when(value: Any, what: str, prefix: str, field: str) -> dt.datetime | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=clock.CST)).astimezone(dt.UTC)
    try:
        return clock.parse_cst(str(value))
    except ValueError:
        raise ValidationError(
            _label(
                prefix,
                _("%(what)s格式无效，应为“YYYY-MM-DD HH:MM”（北京时间）。", what=what),
            ),
            field=field,
        ) from None


def _enum_value(enum_cls: Any, value: Any, what: str, prefix: str, field: str, labels: dict) -> Any:
    try:
        return enum_cls(str(value))
    except ValueError:
        allowed = "、".join(f"{k}（{v}）" for k, v in labels.items())
        raise ValidationError(
            _label(prefix, _("%(what)s无效，可选：%(allowed)s。", what=what, allowed=allowed)),
            field=field,
        ) from None


def _category(code: Any, prefix: str, field: str) -> str:
    code = str(code or "").strip().upper()
    if not code:
        raise ValidationError(_label(prefix, _("请填写品目分类代码。")), field=field)
    if not categories.is_known(code):
        raise ValidationError(
            _label(
                prefix,
                _(
                    "品目分类代码“%(code)s”不存在，请从品目目录中选择"
                    "（如 A08 施工、B02 信息技术设备、C16 物业管理服务）。",
                    code=code,
                ),
            ),
            field=field,
        )
    return code


def _text(value: Any, what: str, prefix: str, field: str, *, required: bool, max_len: int) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError(_label(prefix, _("请填写%(what)s。", what=what)), field=field)
    if len(text) > max_len:
        raise ValidationError(
            _label(prefix, _("%(what)s不得超过 %(n)s 个字。", what=what, n=max_len)), field=field
        )
    return text


_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _price_fields(value: Any, prefix: str, field: str) -> list[dict[str, Any]]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError(
            _label(prefix, _("开标一览表附加字段应为列表，每项包含 key 和 label。")), field=field
        )
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in value:
        if not isinstance(item, Mapping):
            raise ValidationError(
                _label(prefix, _("开标一览表附加字段的每一项须包含 key 和 label。")), field=field
            )
        key = str(item.get("key", "")).strip()
        text = str(item.get("label", "")).strip()
        if not _KEY.match(key) or not text or len(text) > 60:
            raise ValidationError(
                _label(
                    prefix,
                    _(
                        "开标一览表附加字段“%(key)s”无效：key 须为小写字母开头的字母、数字或下划线"
                        "（最多 40 个），label 为 1–60 个字。",
                        key=key,
                    ),
                ),
                field=field,
            )
        if key in seen or key in ("total_price", "duration", "quality"):
            raise ValidationError(
                _label(prefix, _("开标一览表附加字段“%(key)s”重复。", key=key)), field=field
            )
        seen.add(key)
        out.append({"key": key, "label": text, "unit": str(item.get("unit", "")).strip()[:20]})
    return out


# ---------------------------------------------------------------------------------------
# Lot validation: every rule with its own message
# ---------------------------------------------------------------------------------------


def clean_lot(
    data: Mapping[str, Any],
    *,
    project_category: str,
    centre_settings: Mapping[str, Any] | None,
    index: int | None = None,
    check_deadline_future: bool = True,
) -> dict[str, Any]:
    """Validate one lot's data and return it typed; raises ValidationError on the first fault."""
    prefix = _("标段 %(n)s：", n=index + 1) if index is not None else ""
    base = f"lots[{index}]." if index is not None else ""

    def f(name: str) -> str:
        return base + name

    name = _text(data.get("name"), _("标段名称"), prefix, f("name"), required=True, max_len=200)
    category = _category(data.get("category_code") or project_category, prefix, f("category_code"))
    budget = _money(data.get("budget"), _("预算金额"), prefix, f("budget"))
    if budget is None:
        raise ValidationError(_label(prefix, _("请填写预算金额（元）。")), field=f("budget"))
    if budget <= 0:
        raise ValidationError(
            _label(prefix, _("预算金额必须大于 0 元，当前为 %(v)s。", v=yuan(budget))),
            field=f("budget"),
        )
    ceiling = _money(data.get("ceiling_price"), _("最高限价"), prefix, f("ceiling_price"))
    if ceiling is not None and ceiling < 0:
        raise ValidationError(
            _label(prefix, _("最高限价不能为负数，当前为 %(v)s。", v=yuan(ceiling))),
            field=f("ceiling_price"),
        )
    if ceiling is not None and ceiling > budget:
        raise ValidationError(
            _label(
                prefix,
                _(
                    "最高限价（%(c)s）不得超过预算金额（%(b)s）。",
                    c=yuan(ceiling),
                    b=yuan(budget),
                ),
            ),
            field=f("ceiling_price"),
        )
    bond = _money(data.get("bid_bond"), _("投标保证金"), prefix, f("bid_bond")) or Decimal("0.00")
    if bond < 0:
        raise ValidationError(_label(prefix, _("投标保证金不能为负数。")), field=f("bid_bond"))
    ratio = bond_max_ratio(centre_settings)
    bond_cap = to_money(budget * ratio)
    if bond > bond_cap:
        raise ValidationError(
            _label(
                prefix,
                _(
                    "投标保证金（%(v)s）不得超过预算金额的 %(p)s%%，本标段最多 %(cap)s。",
                    v=yuan(bond),
                    p=format(ratio * 100, "f").rstrip("0").rstrip("."),
                    cap=yuan(bond_cap),
                ),
            ),
            field=f("bid_bond"),
        )
    evaluation = _enum_value(
        EvalMethod,
        data.get("evaluation_method") or EvalMethod.COMPREHENSIVE.value,
        _("评标方法"),
        prefix,
        f("evaluation_method"),
        EVAL_LABELS,
    )
    size = _int(data.get("committee_size"), _("评标委员会人数"), prefix, f("committee_size"), 5)
    small, large, threshold = committee_rule(centre_settings)
    if size < small or size % 2 == 0 or size > MAX_COMMITTEE:
        raise ValidationError(
            _label(
                prefix,
                _(
                    "评标委员会人数须为 %(n)s 至 %(max)s 之间的奇数（如 5、7、9），当前为 %(s)s。",
                    n=small,
                    max=MAX_COMMITTEE,
                    s=size,
                ),
            ),
            field=f("committee_size"),
        )
    if budget >= threshold and size < large:
        raise ValidationError(
            _label(
                prefix,
                _(
                    "预算金额达到 %(t)s 及以上的，评标委员会须不少于 %(n)s 人（奇数），当前为 %(s)s。",
                    t=yuan(threshold),
                    n=large,
                    s=size,
                ),
            ),
            field=f("committee_size"),
        )
    validity = _int(data.get("validity_days"), _("投标有效期"), prefix, f("validity_days"), 90)
    if not 1 <= validity <= 365:
        raise ValidationError(
            _label(prefix, _("投标有效期须为 1–365 天，当前为 %(n)s 天。", n=validity)),
            field=f("validity_days"),
        )
    price_fields = _price_fields(data.get("price_form_fields"), prefix, f("price_form_fields"))
    doc_start = _when(data.get("doc_start_at"), _("文件发售开始时间"), prefix, f("doc_start_at"))
    doc_end = _when(data.get("doc_end_at"), _("文件发售截止时间"), prefix, f("doc_end_at"))
    deadline = _when(data.get("bid_deadline"), _("投标截止（开标）时间"), prefix, f("bid_deadline"))
    given = [x is not None for x in (doc_start, doc_end, deadline)]
    if any(given) and not all(given):
        raise ValidationError(
            _label(
                prefix,
                _(
                    "请完整填写文件发售开始时间、文件发售截止时间和投标截止（开标）时间，或三项都不填。"
                ),
            ),
            field=f("bid_deadline" if deadline is None else "doc_start_at"),
        )
    if doc_start is not None and doc_end is not None and deadline is not None:
        if doc_end <= doc_start:
            raise ValidationError(
                _label(
                    prefix,
                    _(
                        "文件发售截止时间（%(e)s）须晚于开始时间（%(s)s）。",
                        e=formatting.cst(doc_end, formatting.CHINESE_MINUTE),
                        s=formatting.cst(doc_start, formatting.CHINESE_MINUTE),
                    ),
                ),
                field=f("doc_end_at"),
            )
        if deadline < doc_end:
            raise ValidationError(
                _label(
                    prefix,
                    _(
                        "投标截止时间（%(d)s）不得早于文件发售截止时间（%(e)s）。",
                        d=formatting.cst(deadline, formatting.CHINESE_MINUTE),
                        e=formatting.cst(doc_end, formatting.CHINESE_MINUTE),
                    ),
                ),
                field=f("bid_deadline"),
            )
        if check_deadline_future and deadline <= clock.now():
            raise ValidationError(
                _label(
                    prefix,
                    _(
                        "投标截止时间（%(d)s）已过，请选择晚于当前时间（%(n)s）的时间。",
                        d=formatting.cst(deadline, formatting.CHINESE_MINUTE),
                        n=formatting.cst(clock.now(), formatting.CHINESE_MINUTE),
                    ),
                ),
                field=f("bid_deadline"),
            )
    place = _text(
        data.get("opening_place"),
        _("开标地点"),
        prefix,
        f("opening_place"),
        required=False,
        max_len=200,
    )
    return {
        "name": name,
        "category_code": category,
        "budget": budget,
        "ceiling_price": ceiling,
        "bid_bond": bond,
        "evaluation_method": evaluation,
        "committee_size": size,
        "validity_days": validity,
        "price_form_fields": price_fields,
        "doc_start_at": doc_start,
        "doc_end_at": doc_end,
        "bid_deadline": deadline,
        "opening_place": place,
    }


# ---------------------------------------------------------------------------------------
# Projects and lots
# ---------------------------------------------------------------------------------------


def _next_sequence(centre_code: str, year: int) -> int:
    prefix = f"{centre_code}-{year}-"
    rows = db.session.execute(
        select(Project.trade_id).where(Project.trade_id.like(prefix + "%"))
    ).scalars()
    highest = 0
    for trade_id in rows:
        tail = trade_id.removeprefix(prefix)
        if tail.isdigit():
            highest = max(highest, int(tail))
    return highest + 1


def _lot_snapshot(lot: Lot) -> dict[str, Any]:
    return {
        "code": lot.code,
        "name": lot.name,
        "category_code": lot.category_code,
        "budget": str(lot.budget),
        "ceiling_price": str(lot.ceiling_price) if lot.ceiling_price is not None else None,
        "bid_bond": str(lot.bid_bond),
        "evaluation_method": lot.evaluation_method.value,
        "committee_size": lot.committee_size,
        "validity_days": lot.validity_days,
        "doc_start_at": lot.doc_start_at.isoformat() if lot.doc_start_at else None,
        "doc_end_at": lot.doc_end_at.isoformat() if lot.doc_end_at else None,
        "bid_deadline": lot.bid_deadline.isoformat() if lot.bid_deadline else None,
        "opening_place": lot.opening_place,
    }


def create_project(
    user: User,
    *,
    purchaser: Organisation | None,
    name: str,
    method: Method | str,
    category_code: str,
    lots: Sequence[Mapping[str, Any]],
    description: str = "",
    funding_source: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> Project:
    """Register a project of the staff's agency, in the staff's centre, with its lots."""
    policies.ensure_can_create_project(user)
    centre = user.centre
    name = _text(name, _("项目名称"), "", "name", required=True, max_len=200)
    method_value = _enum_value(Method, method, _("采购方式"), "", "method", METHOD_LABELS)
    category = _category(category_code, "", "category_code")
    if purchaser is None:
        raise ValidationError(_("请选择采购人。"), field="purchaser_id")
    if purchaser.kind != OrgKind.PURCHASER:
        raise ValidationError(
            _("“%(name)s”不是采购人单位，请选择一家采购人（采购单位）。", name=purchaser.name),
            field="purchaser_id",
        )
    if purchaser.centre_id is not None and purchaser.centre_id != centre.id:
        raise ValidationError(
            _("采购人“%(name)s”不属于本交易中心。", name=purchaser.name), field="purchaser_id"
        )
    description = _text(description, _("项目概况"), "", "description", required=False, max_len=5000)
    funding_source = _text(
        funding_source, _("资金来源"), "", "funding_source", required=False, max_len=100
    )
    contact_name = _text(
        contact_name, _("项目联系人"), "", "contact_name", required=False, max_len=60
    )
    contact_phone = _text(
        contact_phone, _("联系电话"), "", "contact_phone", required=False, max_len=40
    )
    if not lots:
        raise ValidationError(_("项目至少需要一个标段。"), field="lots")
    if len(lots) > MAX_LOTS:
        raise ValidationError(_("一个项目最多 %(n)s 个标段。", n=MAX_LOTS), field="lots")
    cleaned = [
        clean_lot(
            data,
            project_category=category,
            centre_settings=centre.settings,
            index=i if len(lots) > 1 else None,
        )
        for i, data in enumerate(lots)
    ]

    now = clock.now()
    year = clock.cst_date(now).year
    # Two registrations in one centre must not draw the same number: lock the centre row
    # (PostgreSQL; SQLite serialises writers anyway) until this transaction ends.
    db.session.execute(select(Centre.id).where(Centre.id == centre.id).with_for_update())
    seq = _next_sequence(centre.code, year)
    project = Project(
        code=f"{centre.code}{year}{seq:04d}",
        trade_id=f"{centre.code}-{year}-{seq:04d}",
        name=name,
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=user.organisation_id,
        method=method_value,
        category_code=category,
        description=description,
        funding_source=funding_source,
        contact_name=contact_name,
        contact_phone=contact_phone,
        created_by_id=user.id,
        created_at=now,
    )
    db.session.add(project)
    db.session.flush()
    for i, values in enumerate(cleaned, start=1):
        lot = Lot(project_id=project.id, seq=i, code=f"{project.code}-{i:02d}", **values)
        db.session.add(lot)
    db.session.flush()
    db.session.refresh(project, ["lots"])
    record(
        "project.created",
        project,
        {
            "code": project.code,
            "trade_id": project.trade_id,
            "name": project.name,
            "method": project.method.value,
            "purchaser_id": purchaser.id,
            "lots": [_lot_snapshot(lot) for lot in project.lots],
        },
        actor=user,
    )
    return project


def add_lot(user: User, project: Project, data: Mapping[str, Any]) -> Lot:
    """Add another lot to a project that has not yet been announced."""
    policies.ensure_can_manage_project(user, project)
    if any(lot.status != LotStatus.DRAFT for lot in project.lots):
        raise Conflict(_("项目已有标段发布或终止，不能再增加标段；请另行登记项目。"))
    if len(project.lots) >= MAX_LOTS:
        raise ValidationError(_("一个项目最多 %(n)s 个标段。", n=MAX_LOTS), field="lots")
    values = clean_lot(
        data, project_category=project.category_code, centre_settings=project.centre.settings
    )
    seq = max((lot.seq for lot in project.lots), default=0) + 1
    lot = Lot(project_id=project.id, seq=seq, code=f"{project.code}-{seq:02d}", **values)
    db.session.add(lot)
    db.session.flush()
    db.session.refresh(project, ["lots"])
    record("lot.created", lot, _lot_snapshot(lot), actor=user)
    return lot


def update_lot(
    user: User, lot: Lot, changes: Mapping[str, Any], expected_version: int | None
) -> Lot:
    """Edit a lot while it is still a draft; `expected_version` guards against lost updates."""
    project = lot.project
    policies.ensure_can_manage_project(user, project)
    if expected_version is not None and expected_version != lot.version:
        raise Conflict(
            _(
                "该标段已被他人修改（您编辑的是第 %(mine)s 版，当前为第 %(cur)s 版），请刷新后重试。",
                mine=expected_version,
                cur=lot.version,
            ),
            field="version",
        )
    if lot.status != LotStatus.DRAFT:
        raise Conflict(
            _(
                "标段“%(name)s”当前状态为“%(status)s”，只有登记中的标段可以修改；"
                "已发布的内容请通过更正公告变更。",
                name=lot.name,
                status=status_label(lot.status),
            )
        )
    merged: dict[str, Any] = {
        "name": lot.name,
        "category_code": lot.category_code,
        "budget": lot.budget,
        "ceiling_price": lot.ceiling_price,
        "bid_bond": lot.bid_bond,
        "evaluation_method": lot.evaluation_method.value,
        "committee_size": lot.committee_size,
        "validity_days": lot.validity_days,
        "price_form_fields": lot.price_form_fields,
        "doc_start_at": lot.doc_start_at,
        "doc_end_at": lot.doc_end_at,
        "bid_deadline": lot.bid_deadline,
        "opening_place": lot.opening_place,
    }
    unknown = set(changes) - set(LOT_FIELDS)
    if unknown:
        raise ValidationError(
            _("不能修改的字段：%(f)s。", f="、".join(sorted(unknown))), field=sorted(unknown)[0]
        )
    merged.update(changes)
    values = clean_lot(
        merged, project_category=project.category_code, centre_settings=project.centre.settings
    )
    before = _lot_snapshot(lot)
    for key, value in values.items():
        setattr(lot, key, value)
    db.session.flush()
    after = _lot_snapshot(lot)
    diff = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    record("lot.updated", lot, {"changes": diff, "version": lot.version}, actor=user)
    return lot


def projects_visible_to(user: User) -> Select[tuple[Project]]:
    """Staff see their agency's projects; supervisors and admins their centre's."""
    policies.ensure_can_list_projects(user)
    stmt = select(Project).order_by(Project.id.desc())
    if user.role == Role.STAFF:
        return stmt.where(Project.agency_id == (user.organisation_id or -1))
    if user.role == Role.ADMIN and user.centre_id is None:
        return stmt
    return stmt.where(Project.centre_id == (user.centre_id or -1))


def get_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None:
        raise NotFound(_("项目不存在。"))
    return project


def get_lot(lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise NotFound(_("标段不存在。"))
    return lot


def get_announcement(announcement_id: int) -> Announcement:
    ann = db.session.get(Announcement, announcement_id)
    if ann is None:
        raise NotFound(_("公告不存在。"))
    return ann


def announcements_of(project: Project) -> list[Announcement]:
    return list(
        db.session.execute(
            select(Announcement)
            .where(Announcement.project_id == project.id)
            .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        ).scalars()
    )


# ---------------------------------------------------------------------------------------
# Announcements
# ---------------------------------------------------------------------------------------


def publish_announcement(
    user: User,
    project: Project,
    kind: AnnouncementKind | str,
    title: str,
    body: str,
    *,
    lot: Lot | None = None,
    fields: Mapping[str, Any] | None = None,
    supersedes: Announcement | None = None,
) -> Announcement:
    """Publish one announcement now. Published announcements are never changed afterwards.

    Any kind may be published this way (e.g. clarifications by the documents module); the
    lifecycle effects of a tender notice or a termination live in their own services.
    """
    policies.ensure_can_manage_project(user, project)
    kind = AnnouncementKind(kind)
    title = _text(title, _("公告标题"), "", "title", required=True, max_len=TITLE_MAX)
    body = _text(body, _("公告正文"), "", "body", required=True, max_len=200_000)
    if lot is not None and lot.project_id != project.id:
        raise ValidationError(_("标段不属于该项目。"), field="lot_id")
    if supersedes is not None and (
        supersedes.project_id != project.id or supersedes.published_at is None
    ):
        raise ValidationError(_("被更正的公告须是本项目已发布的公告。"), field="supersedes_id")
    now = clock.now()
    ann = Announcement(
        project_id=project.id,
        lot_id=lot.id if lot is not None else None,
        kind=kind,
        title=title,
        body=body,
        fields=_jsonable(dict(fields or {})),
        centre_id=project.centre_id,
        method=project.method,
        category_code=lot.category_code if lot is not None else project.category_code,
        published_at=now,
        supersedes_id=supersedes.id if supersedes is not None else None,
        created_by_id=user.id,
        created_at=now,
    )
    db.session.add(ann)
    db.session.flush()
    search.index("announcement", ann.id, ann.title, ann.body, project.name, project.purchaser.name)
    record(
        "announcement.published",
        ann,
        {
            "kind": kind.value,
            "title": title,
            "project_id": project.id,
            "lot_id": ann.lot_id,
            "supersedes_id": ann.supersedes_id,
        },
        actor=user,
    )
    return ann


def _fit_title(subject: str, suffix: str) -> str:
    """A generated title that fits the column: long names are shortened, the kind is kept."""
    room = TITLE_MAX - len(suffix)
    if len(subject) > room:
        subject = subject[: room - 1] + "…"
    return subject + suffix


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal):
        return str(to_money(value))
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def _latest(project: Project, kind: AnnouncementKind, lot: Lot | None) -> Announcement | None:
    stmt = (
        select(Announcement)
        .where(Announcement.project_id == project.id, Announcement.kind == kind)
        .order_by(Announcement.id.desc())
        .limit(1)
    )
    stmt = stmt.where(
        Announcement.lot_id == lot.id if lot is not None else Announcement.lot_id.is_(None)
    )
    return db.session.execute(stmt).scalar_one_or_none()


def _party_fields(project: Project, given: Mapping[str, Any]) -> dict[str, str]:
    purchaser, agency = project.purchaser, project.agency

    def pick(key: str, default: str, what: str, max_len: int = 200) -> str:
        value = given.get(key)
        text = str(value).strip() if value not in (None, "") else default
        return _text(text, what, "", key, required=False, max_len=max_len)

    return {
        "purchaser_name": purchaser.name,
        "purchaser_address": pick("purchaser_address", purchaser.address, _("采购人地址")),
        "purchaser_contact": pick("purchaser_contact", purchaser.contact_name, _("采购人联系人")),
        "purchaser_phone": pick("purchaser_phone", purchaser.contact_phone, _("采购人电话")),
        "agency_name": agency.name,
        "agency_address": pick("agency_address", agency.address, _("代理机构地址")),
        "agency_contact": pick(
            "agency_contact", project.contact_name or agency.contact_name, _("代理机构联系人")
        ),
        "agency_phone": pick(
            "agency_phone", project.contact_phone or agency.contact_phone, _("代理机构电话")
        ),
    }


def intent_defaults(project: Project, lot: Lot | None = None) -> dict[str, Any]:
    """What the intent form starts from."""
    lots = (
        [lot] if lot is not None else [x for x in project.lots if x.status != LotStatus.TERMINATED]
    )
    first = min((x.doc_start_at for x in lots if x.doc_start_at), default=None)
    return {
        "requirements": project.description,
        "expected_month": clock.to_cst(first).strftime("%Y-%m") if first else "",
        "remarks": "",
    }


def publish_intent(
    user: User, project: Project, given: Mapping[str, Any], *, lot: Lot | None = None
) -> Announcement:
    """Publish the procurement intent (采购意向) of a project or of one of its lots."""
    policies.ensure_can_manage_project(user, project)
    if lot is not None and lot.project_id != project.id:
        raise ValidationError(_("标段不属于该项目。"), field="lot_id")
    lots = [lot] if lot is not None else list(project.lots)
    if lot is not None and lot.status == LotStatus.TERMINATED:
        raise Conflict(_("标段已终止，不能发布采购意向。"))
    if all(x.status != LotStatus.DRAFT for x in lots):
        raise Conflict(_("采购意向须在招标公告发布之前公开；该项目（标段）已进入招标阶段。"))
    requirements = _text(
        given.get("requirements"),
        _("采购需求概况"),
        "",
        "requirements",
        required=True,
        max_len=5000,
    )
    month = str(given.get("expected_month") or "").strip()
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        raise ValidationError(
            _("预计采购时间应为“YYYY-MM”格式的年月，例如 2026-05。"), field="expected_month"
        )
    remarks = _text(given.get("remarks"), _("备注"), "", "remarks", required=False, max_len=2000)
    budget = sum((x.budget for x in lots), Decimal("0"))
    fields: dict[str, Any] = {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "lot_code": lot.code if lot is not None else None,
        "lot_name": lot.name if lot is not None else None,
        "method": project.method.value,
        "category_code": lot.category_code if lot is not None else project.category_code,
        "budget": budget,
        "requirements": requirements,
        "expected_month": month,
        "remarks": remarks,
        **_party_fields(project, given),
    }
    subject = f"{project.name}{('（' + lot.name + '）') if lot is not None else ''}"
    with force_locale("zh_CN"):
        title = _fit_title(subject, _("采购意向公告"))
        body = render_intent_body(fields)
    previous = _latest(project, AnnouncementKind.INTENT, lot)
    return publish_announcement(
        user,
        project,
        AnnouncementKind.INTENT,
        title,
        body,
        lot=lot,
        fields=fields,
        supersedes=previous,
    )


def render_intent_body(f: Mapping[str, Any]) -> str:
    month = f.get("expected_month", "")
    lines = [
        _("为便于供应商及时了解政府采购信息，根据有关规定，现将采购意向公开如下："),
        "",
        _("一、采购项目名称：%(v)s", v=f["project_name"]),
        _("二、项目编号：%(v)s（交易编号 %(t)s）", v=f["project_code"], t=f["trade_id"]),
    ]
    if f.get("lot_name"):
        lines.append(_("三、标段（包）：%(c)s %(n)s", c=f["lot_code"], n=f["lot_name"]))
    lines += [
        _("采购需求概况：%(v)s", v=f["requirements"]),
        _("预算金额：%(v)s", v=yuan(Decimal(str(f["budget"])))),
        _("采购方式：%(v)s", v=method_label(f["method"])),
        _("品目：%(v)s", v=categories.label(f["category_code"])),
        _("预计采购时间：%(y)s年%(m)s月", y=month[:4], m=month[5:7]),
        "",
        _("采购人：%(v)s", v=f["purchaser_name"]),
        _(
            "联系人：%(n)s　电话：%(p)s",
            n=f["purchaser_contact"] or "—",
            p=f["purchaser_phone"] or "—",
        ),
        _("代理机构：%(v)s", v=f["agency_name"]),
        _("联系人：%(n)s　电话：%(p)s", n=f["agency_contact"] or "—", p=f["agency_phone"] or "—"),
    ]
    if f.get("remarks"):
        lines += ["", _("备注：%(v)s", v=f["remarks"])]
    lines += [
        "",
        _(
            "本次公开的采购意向是本单位采购工作的初步安排，具体采购项目情况以相关采购公告和采购文件为准。"
        ),
    ]
    return "\n".join(lines)


def tender_defaults(project: Project, lot: Lot | None = None) -> dict[str, Any]:
    """What the tender-notice form starts from: the parties' contacts and the last intent."""
    intent = _latest(project, AnnouncementKind.INTENT, lot) or _latest(
        project, AnnouncementKind.INTENT, None
    )
    out: dict[str, Any] = {
        "requirements": (intent.fields.get("requirements") if intent else "")
        or project.description,
        "qualifications": _(
            "1. 满足《中华人民共和国政府采购法》第二十二条规定；\n"
            "2. 未被列入“信用中国”网站失信被执行人、重大税收违法失信主体名单；\n"
            "3. 本项目不接受联合体投标。"
        ),
        "doc_obtain_method": _(
            "登录本平台，使用供应商账户在文件发售期内免费下载招标文件（不提供纸质文件）。"
        ),
        "bid_submission": _("投标文件须在本平台加密上传，逾期上传的系统将拒收。"),
        "remarks": "",
    }
    out.update(_party_fields(project, {}))
    return out


def _lot_fields(lot: Lot) -> dict[str, Any]:
    return {
        "lot_id": lot.id,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "category_code": lot.category_code,
        "budget": lot.budget,
        "ceiling_price": lot.ceiling_price,
        "bid_bond": lot.bid_bond,
        "evaluation_method": lot.evaluation_method.value,
        "validity_days": lot.validity_days,
        "doc_start_at": lot.doc_start_at,
        "doc_end_at": lot.doc_end_at,
        "bid_deadline": lot.bid_deadline,
        "opening_time": lot.bid_deadline,
        "opening_place": lot.opening_place,
    }


def check_tender_clocks(lot: Lot, now: dt.datetime | None = None) -> None:
    """Refuse a timetable that breaks the bid-period or document-window clocks."""
    project = lot.project
    label = lot.name
    if lot.doc_start_at is None or lot.doc_end_at is None or lot.bid_deadline is None:
        raise ValidationError(
            _(
                "标段“%(n)s”的时间安排不完整：发布招标公告前须填写文件发售起止时间和投标截止（开标）时间。",
                n=label,
            ),
            field="bid_deadline",
        )
    now = now or clock.now()
    if lot.bid_deadline <= now:
        raise ValidationError(
            _(
                "标段“%(n)s”的投标截止时间（%(d)s）已过。",
                n=label,
                d=formatting.cst(lot.bid_deadline, formatting.CHINESE_MINUTE),
            ),
            field="bid_deadline",
        )
    # Documents cannot go out before the notice does: the clocks run from the later of the two.
    start = max(lot.doc_start_at, now)
    settings = project.centre.settings or {}
    min_days = clocks.bid_period_min_days(project.method.value, _config(), settings)
    min_window = clocks.document_window_min_working_days(_config(), settings)
    problems = clocks.check_timetable(
        doc_start=start,
        doc_end=lot.doc_end_at,
        deadline=lot.bid_deadline,
        min_bid_days=min_days,
        min_window_days=min_window,
        calendar=calendar_for(project.centre_id),
    )
    messages: list[str] = []
    field = "bid_deadline"
    for p in problems:
        if p.code == "bid_period":
            messages.append(
                _(
                    "标段“%(n)s”：%(m)s自招标文件开始发出之日起至投标截止之日止不得少于 %(d)s 日，"
                    "当前投标截止时间为 %(cur)s，最早的合法截止时间为 %(e)s（北京时间）",
                    n=label,
                    m=method_label(project.method),
                    d=min_days,
                    cur=formatting.cst(lot.bid_deadline, formatting.CHINESE_MINUTE),
                    e=formatting.cst(p.bound, formatting.CHINESE_MINUTE),
                )
            )
        else:
            if not messages:
                field = "doc_end_at"
            messages.append(
                _(
                    "标段“%(n)s”：招标文件发售期不得少于 %(w)s 个工作日（按本中心工作日历，当前安排仅 %(a)s 个工作日），"
                    "文件发售截止日期最早为 %(e)s",
                    n=label,
                    w=min_window,
                    a=p.actual,
                    e=p.bound.strftime("%Y年%m月%d日"),
                )
            )
    if messages:
        raise ValidationError("；".join(messages) + "。", field=field)


def publish_tender_notice(
    user: User,
    project: Project,
    given: Mapping[str, Any],
    *,
    lots: Sequence[Lot] | None = None,
) -> Announcement:
    """Publish the tender notice (招标公告) for some draft lots (all of them by default).

    Refuses timetables under the lawful clocks; on success the lots become PUBLISHED.
    """
    policies.ensure_can_manage_project(user, project)
    targets = (
        list(lots) if lots is not None else [x for x in project.lots if x.status == LotStatus.DRAFT]
    )
    if not targets:
        raise Conflict(_("没有可发布的标段：只有登记中的标段可以发布招标公告。"))
    for lot in targets:
        if lot.project_id != project.id:
            raise ValidationError(_("标段不属于该项目。"), field="lot_id")
        if lot.status != LotStatus.DRAFT:
            raise Conflict(
                _(
                    "标段“%(n)s”当前状态为“%(s)s”，只有登记中的标段可以发布招标公告。",
                    n=lot.name,
                    s=status_label(lot.status),
                )
            )
    now = clock.now()
    for lot in targets:
        check_tender_clocks(lot, now)
    requirements = _text(
        given.get("requirements"), _("采购需求"), "", "requirements", required=True, max_len=20000
    )
    qualifications = _text(
        given.get("qualifications"),
        _("投标人资格要求"),
        "",
        "qualifications",
        required=True,
        max_len=10000,
    )
    defaults = tender_defaults(project)
    obtain = _text(
        given.get("doc_obtain_method") or defaults["doc_obtain_method"],
        _("招标文件获取方式"),
        "",
        "doc_obtain_method",
        required=True,
        max_len=2000,
    )
    submission = _text(
        given.get("bid_submission") or defaults["bid_submission"],
        _("投标文件递交方式"),
        "",
        "bid_submission",
        required=True,
        max_len=2000,
    )
    remarks = _text(
        given.get("remarks"), _("其他补充事宜"), "", "remarks", required=False, max_len=5000
    )
    lot_rows = [_lot_fields(lot) for lot in targets]
    fields: dict[str, Any] = {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "method": project.method.value,
        "category_code": targets[0].category_code if len(targets) == 1 else project.category_code,
        "funding_source": project.funding_source,
        "budget": sum((lot.budget for lot in targets), Decimal("0")),
        "ceiling_price": (
            sum((lot.ceiling_price for lot in targets), Decimal("0"))
            if all(lot.ceiling_price is not None for lot in targets)
            else None
        ),
        "lots": lot_rows,
        "requirements": requirements,
        "qualifications": qualifications,
        "doc_obtain_method": obtain,
        "doc_start_at": min(lot.doc_start_at for lot in targets),
        "doc_end_at": max(lot.doc_end_at for lot in targets),
        "bid_deadline": min(lot.bid_deadline for lot in targets),
        "opening_place": targets[0].opening_place,
        "bid_submission": submission,
        "remarks": remarks,
        **_party_fields(project, given),
    }
    single = targets[0] if len(targets) == 1 else None
    subject = project.name + (f"（{single.name}）" if single and len(project.lots) > 1 else "")
    with force_locale("zh_CN"):
        kind_word = (
            _("招标公告") if project.method in (Method.OPEN, Method.INVITED) else _("采购公告")
        )
        title = _fit_title(subject, kind_word)
        body = render_tender_body(fields, lot_rows, project.method)
    ann = publish_announcement(
        user,
        project,
        AnnouncementKind.TENDER,
        title,
        body,
        lot=single,
        fields=fields,
        supersedes=_latest(project, AnnouncementKind.TENDER, single),
    )
    for lot in targets:
        lot.status = LotStatus.PUBLISHED
        lot.status_reason = ""
        record(
            "lot.published",
            lot,
            {"announcement_id": ann.id, "bid_deadline": lot.bid_deadline.isoformat()},
            actor=user,
        )
    db.session.flush()
    return ann


def render_tender_body(
    f: Mapping[str, Any], lots: Sequence[Mapping[str, Any]], method: Method
) -> str:
    lines = [
        _(
            "%(agency)s受%(purchaser)s委托，对%(name)s进行%(method)s，欢迎合格的供应商前来投标。",
            agency=f["agency_name"],
            purchaser=f["purchaser_name"],
            name=f["project_name"],
            method=method_label(method),
        ),
        "",
        _("一、项目基本情况"),
        _("项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]),
        _("项目名称：%(v)s", v=f["project_name"]),
        _("采购方式：%(v)s", v=method_label(method)),
        _("预算金额：%(v)s", v=yuan(Decimal(str(f["budget"])))),
        _(
            "最高限价：%(v)s",
            v=yuan(Decimal(str(f["ceiling_price"])))
            if f.get("ceiling_price") is not None
            else _("无"),
        ),
    ]
    if f.get("funding_source"):
        lines.append(_("资金来源：%(v)s", v=f["funding_source"]))
    for lot in lots:
        ceiling = lot.get("ceiling_price")
        lines.append(
            _(
                "标段（包）%(code)s %(name)s：品目 %(cat)s；预算 %(b)s；最高限价 %(c)s；"
                "投标保证金 %(bond)s；评标方法 %(ev)s；投标有效期 %(vd)s 日",
                code=lot["lot_code"],
                name=lot["lot_name"],
                cat=categories.label(lot["category_code"]),
                b=yuan(Decimal(str(lot["budget"]))),
                c=yuan(Decimal(str(ceiling))) if ceiling is not None else _("无"),
                bond=yuan(Decimal(str(lot["bid_bond"]))),
                ev=_(EVAL_LABELS.get(str(lot["evaluation_method"]), str(lot["evaluation_method"]))),
                vd=lot["validity_days"],
            )
        )
    lines += [
        _("采购需求：%(v)s", v=f["requirements"]),
        "",
        _("二、投标人的资格要求"),
        str(f["qualifications"]),
        "",
        _("三、获取招标文件"),
        _(
            "时间：%(s)s 至 %(e)s（北京时间，法定节假日除外）",
            s=formatting.cst(_as_dt(f["doc_start_at"]), formatting.CHINESE_MINUTE),
            e=formatting.cst(_as_dt(f["doc_end_at"]), formatting.CHINESE_MINUTE),
        ),
        _("方式：%(v)s", v=f["doc_obtain_method"]),
        "",
        _("四、提交投标文件截止时间、开标时间和地点"),
    ]
    for lot in lots:
        lines.append(
            _(
                "%(code)s：投标截止时间及开标时间 %(d)s（北京时间）；开标地点：%(p)s",
                code=lot["lot_code"],
                d=formatting.cst(_as_dt(lot["bid_deadline"]), formatting.CHINESE_MINUTE),
                p=lot["opening_place"] or _("本平台线上开标大厅"),
            )
        )
    lines += [
        _("递交方式：%(v)s", v=f["bid_submission"]),
        "",
        _("五、公告期限"),
        _(
            "自本公告发布之日起至 %(e)s 止。",
            e=formatting.cst(_as_dt(f["doc_end_at"]), formatting.CHINESE_MINUTE),
        ),
    ]
    if f.get("remarks"):
        lines += ["", _("六、其他补充事宜"), str(f["remarks"])]
    lines += [
        "",
        _("七、对本次招标提出询问，请按以下方式联系"),
        _(
            "采购人：%(n)s　地址：%(a)s　联系人：%(c)s　电话：%(p)s",
            n=f["purchaser_name"],
            a=f["purchaser_address"] or "—",
            c=f["purchaser_contact"] or "—",
            p=f["purchaser_phone"] or "—",
        ),
        _(
            "采购代理机构：%(n)s　地址：%(a)s　联系人：%(c)s　电话：%(p)s",
            n=f["agency_name"],
            a=f["agency_address"] or "—",
            c=f["agency_contact"] or "—",
            p=f["agency_phone"] or "—",
        ),
    ]
    return "\n".join(lines)


def _as_dt(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))


def terminate_lot(user: User, lot: Lot, reason: str) -> Announcement:
    """Terminate a lot (终止): publish the termination notice and close the lot for good."""
    project = lot.project
    policies.ensure_can_manage_project(user, project)
    if lot.status in _FINAL:
        raise Conflict(
            _(
                "标段“%(n)s”当前状态为“%(s)s”，不能终止。",
                n=lot.name,
                s=status_label(lot.status),
            )
        )
    reason = _text(reason, _("终止原因"), "", "reason", required=True, max_len=2000)
    if len(reason) < 5:
        raise ValidationError(_("请具体说明终止原因（至少 5 个字）。"), field="reason")
    previous = lot.status
    fields = {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "reason": reason,
        "previous_status": previous.value,
        **_party_fields(project, {}),
    }
    with force_locale("zh_CN"):
        title = _fit_title(f"{project.name}（{lot.name}）", _("终止公告"))
        body = "\n".join(
            [
                _("一、项目编号：%(c)s（交易编号 %(t)s）", c=project.code, t=project.trade_id),
                _("二、项目名称：%(v)s", v=project.name),
                _("三、终止的标段（包）：%(c)s %(n)s", c=lot.code, n=lot.name),
                _("四、终止原因：%(v)s", v=reason),
                _("五、已获取招标文件的供应商，请关注后续公告。"),
                "",
                _(
                    "采购人：%(n)s　联系人：%(c)s　电话：%(p)s",
                    n=fields["purchaser_name"],
                    c=fields["purchaser_contact"] or "—",
                    p=fields["purchaser_phone"] or "—",
                ),
                _(
                    "采购代理机构：%(n)s　联系人：%(c)s　电话：%(p)s",
                    n=fields["agency_name"],
                    c=fields["agency_contact"] or "—",
                    p=fields["agency_phone"] or "—",
                ),
            ]
        )
    ann = publish_announcement(
        user, project, AnnouncementKind.TERMINATION, title, body, lot=lot, fields=fields
    )
    lot.status = LotStatus.TERMINATED
    lot.status_reason = reason
    db.session.flush()
    record(
        "lot.terminated",
        lot,
        {"reason": reason, "previous_status": previous.value, "announcement_id": ann.id},
        actor=user,
    )
    _tell_downloaders(lot, title, body, ann)
    return ann


def _tell_downloaders(lot: Lot, title: str, body: str, ann: Announcement) -> None:
    """Suppliers who fetched the documents learn of the termination directly."""
    from flask import url_for
    from werkzeug.routing import BuildError

    from bidding.doc_services import notify_downloaders

    try:
        link = url_for("portal.announcement", announcement_id=ann.id)
    except BuildError:  # the portal's detail page may not be installed
        link = ""
    notify_downloaders(lot, title, body, link)
