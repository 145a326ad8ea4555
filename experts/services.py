"""Use cases of the expert pool: registration, status, history, credit, appraisal, CSV import."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import re
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code
from app.core.auth.models import Centre, Role, User
from app.core.errors import Conflict, TooEarly, ValidationError
from app.core.extensions import db
from bidding.models import Lot
from experts import policies
from experts.models import (
    Appraisal,
    CreditEntry,
    CreditKind,
    Employment,
    Expert,
    ExpertSpecialty,
    ExpertStatus,
    Leave,
    Relation,
    RelationKind,
    Sitting,
    Specialty,
)
from experts.specialties import SEED, level_of, parent_of

PHONE = re.compile(r"^1\d{10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

# 专家考评 checklist: each item passes or fails, plus an overall 1–5 score.
APPRAISAL_ITEMS: dict[str, Any] = {
    "on_time": _l("按时到场签到"),
    "discipline": _l("遵守评标纪律，未私下接触投标人"),
    "independent": _l("独立、客观、公正评审"),
    "competent": _l("评审意见专业、理由充分"),
    "avoidance": _l("如实申报回避"),
    "confidential": _l("保守评标秘密"),
    "signed": _l("按时签署评标报告"),
}


# ---------------------------------------------------------------- specialties
def seed_specialties() -> int:
    """Insert the shipped classification; existing codes are left alone. Returns new rows."""
    have = set(db.session.execute(select(Specialty.code)).scalars())
    added = 0
    for code, name in SEED:
        if code not in have:
            db.session.add(
                Specialty(code=code, name=name, level=level_of(code), parent_code=parent_of(code))
            )
            db.session.flush()
            added += 1
    return added


def specialty(code: str, field: str = "specialty") -> Specialty:
    found = db.session.get(Specialty, (code or "").strip())
    if found is None:
        raise ValidationError(
            _l("专业代码 %(c)s 不存在，请从专业分类表中选择（如 A08.01.02.03）。", c=code),
            field=field,
        )
    return found


# ---------------------------------------------------------------- identity
def id_card_valid(number: str) -> bool:
    """GB 11643 resident ID number with its check character."""
    n = (number or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", n):
        return False
    total = sum(int(c) * w for c, w in zip(n[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == n[17]


def hash_id_card(number: str) -> str:
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(key, b"id-card:" + number.strip().upper().encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------- pool management
def _clean_fields(data: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """Field checks shared by the form, the API and the CSV import: {field: message} on error."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}

    def has(key: str) -> bool:
        return key in data and data[key] is not None

    if has("name") or not partial:
        name = str(data.get("name") or "").strip()
        if not 2 <= len(name) <= 60:
            errors["name"] = _("姓名须为 2–60 个字符")
        out["name"] = name
    if has("id_card") or not partial:
        number = str(data.get("id_card") or "").strip().upper()
        if not id_card_valid(number):
            errors["id_card"] = _("身份证号码无效（应为 18 位且校验位正确）")
        out["id_card"] = number
    if has("phone") or not partial:
        phone = str(data.get("phone") or "").strip()
        if not PHONE.match(phone):
            errors["phone"] = _("手机号码应为 11 位数字，以 1 开头")
        out["phone"] = phone
    if has("email"):
        email = str(data.get("email") or "").strip()
        if email and not EMAIL.match(email):
            errors["email"] = _("电子邮箱格式无效")
        out["email"] = email
    for key, limit in (("region", 60), ("title", 60), ("employer_name", 200)):
        if has(key):
            value = str(data[key]).strip()
            if len(value) > limit:
                errors[key] = _("长度不得超过 %(n)s", n=limit)
            out[key] = value
    if has("main_specialty") or not partial:
        code = str(data.get("main_specialty") or "").strip()
        if db.session.get(Specialty, code) is None:
            errors["main_specialty"] = _("专业代码 %(c)s 不在专业分类表中", c=code or "（空）")
        out["main_specialty"] = code
    if has("secondary_specialties"):
        raw = data["secondary_specialties"]
        codes = raw if isinstance(raw, list) else [c for c in re.split(r"[;；,，\s]+", raw) if c]
        bad = [c for c in codes if db.session.get(Specialty, c) is None]
        if bad:
            errors["secondary_specialties"] = _("专业代码不在分类表中：%(c)s", c="、".join(bad))
        out["secondary_specialties"] = sorted(set(codes))
    if has("employer_code"):
        code = str(data["employer_code"]).strip().upper()
        if code and not credit_code.is_valid(code):
            errors["employer_code"] = _("在职单位统一社会信用代码无效（18 位，校验位须正确）")
        out["employer_code"] = code
    if errors:
        raise _FieldErrors(errors)
    return out


class _FieldErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(str(errors))
        self.errors = errors


def _raise_fields(exc: _FieldErrors) -> None:
    message = "；".join(f"{k}: {v}" for k, v in exc.errors.items())
    field = next(iter(exc.errors))
    raise ValidationError(_l("专家信息有误：%(m)s", m=message), field=field, **exc.errors)


def _apply(expert: Expert, fields: dict[str, Any]) -> None:
    for key in ("name", "phone", "email", "region", "title", "employer_code", "employer_name"):
        if key in fields:
            setattr(expert, key, fields[key])
    if "main_specialty" in fields:
        expert.main_specialty_code = fields["main_specialty"]
    if "secondary_specialties" in fields:
        codes = [c for c in fields["secondary_specialties"] if c != expert.main_specialty_code]
        expert.secondary = [ExpertSpecialty(specialty_code=c) for c in codes]
    if "id_card" in fields:
        expert.id_card_hash = hash_id_card(fields["id_card"])
        expert.id_card_tail = fields["id_card"][-4:]


def _duplicate(centre_id: int, id_hash: str, exclude: int | None = None) -> bool:
    stmt = select(Expert.id).where(Expert.centre_id == centre_id, Expert.id_card_hash == id_hash)
    if exclude:
        stmt = stmt.where(Expert.id != exclude)
    return db.session.execute(stmt).first() is not None


def _link_account(expert: Expert, username: str, centre: Centre, actor: User) -> None:
    import secrets

    from app.core.auth.services import create_user

    user = create_user(
        username=username,
        password=secrets.token_urlsafe(18),
        display_name=expert.name,
        role=Role.EXPERT,
        email=expert.email,
        phone=expert.phone,
        centre=centre,
        actor=actor,
    )
    expert.user_id = user.id


def register_expert(centre: Centre, data: dict[str, Any], actor: User) -> Expert:
    policies.ensure(policies.can_manage_pool(actor, centre.id))
    try:
        fields = _clean_fields(data)
    except _FieldErrors as exc:
        _raise_fields(exc)
        raise  # unreachable: keeps type checkers informed
    if _duplicate(centre.id, hash_id_card(fields["id_card"])):
        raise Conflict(_l("该身份证号码的专家已在本中心专家库中。"), field="id_card")
    expert = Expert(centre_id=centre.id, created_at=clock.now(), status=ExpertStatus.ACTIVE)
    _apply(expert, fields)
    db.session.add(expert)
    db.session.flush()
    if data.get("username"):
        _link_account(expert, str(data["username"]), centre, actor)
    elif data.get("user_id"):
        expert.user_id = int(data["user_id"])
    db.session.flush()
    record("experts.registered", expert, {"name": expert.name, "centre": centre.code}, actor=actor)
    return expert


def update_expert(expert: Expert, data: dict[str, Any], actor: User) -> Expert:
    policies.ensure(policies.can_manage_pool(actor, expert.centre_id))
    try:
        fields = _clean_fields(data, partial=True)
    except _FieldErrors as exc:
        _raise_fields(exc)
        raise
    if "id_card" in fields and _duplicate(
        expert.centre_id, hash_id_card(fields["id_card"]), exclude=expert.id
    ):
        raise Conflict(_l("该身份证号码的专家已在本中心专家库中。"), field="id_card")
    _apply(expert, fields)
    db.session.flush()
    changed = sorted(k for k in fields if k != "id_card") + (
        ["id_card"] if "id_card" in fields else []
    )
    record("experts.updated", expert, {"fields": changed}, actor=actor)
    return expert


def set_status(expert: Expert, status: ExpertStatus, reason: str, actor: User) -> Expert:
    policies.ensure(policies.can_manage_pool(actor, expert.centre_id))
    if expert.status == ExpertStatus.RETIRED and status != ExpertStatus.RETIRED:
        raise Conflict(_l("已出库的专家不能恢复，请重新登记。"))
    if status != ExpertStatus.ACTIVE and not reason.strip():
        raise ValidationError(_l("暂停或出库须填写原因。"), field="reason")
    before = expert.status
    expert.status = status
    expert.status_reason = reason.strip()
    db.session.flush()
    record(
        "experts.status_changed",
        expert,
        {"from": before.value, "to": status.value, "reason": reason.strip()},
        actor=actor,
    )
    return expert


def _period_dates(start: Any, end: Any) -> tuple[dt.date, dt.date | None]:
    try:
        s = start if isinstance(start, dt.date) else dt.date.fromisoformat(str(start))
        e = (end if isinstance(end, dt.date) else dt.date.fromisoformat(str(end))) if end else None
    except ValueError as exc:
        raise ValidationError(_l("日期格式无效，应为 YYYY-MM-DD。"), field="start_date") from exc
    if e is not None and e < s:
        raise ValidationError(_l("结束日期不能早于开始日期。"), field="end_date")
    return s, e


def add_employment(
    expert: Expert, code: str, name: str, start: Any, end: Any, actor: User
) -> Employment:
    policies.ensure(policies.can_manage_pool(actor, expert.centre_id))
    code = credit_code.require_valid(code)
    s, e = _period_dates(start, end)
    item = Employment(
        expert_id=expert.id, credit_code=code, name=name.strip(), start_date=s, end_date=e
    )
    db.session.add(item)
    db.session.flush()
    record(
        "experts.employment_added",
        expert,
        {"credit_code": code, "start": str(s), "end": str(e)},
        actor=actor,
    )
    return item


def add_relation(
    expert: Expert, code: str, kind: RelationKind | str, note: str, actor: User
) -> Relation:
    """Declared by the expert themself or recorded by centre staff."""
    own = policies.expert_of(actor)
    if not (own is not None and own.id == expert.id):
        policies.ensure(policies.can_manage_pool(actor, expert.centre_id))
    code = credit_code.require_valid(code)
    try:
        kind = RelationKind(kind)
    except ValueError as exc:
        allowed = "、".join(k.value for k in RelationKind)
        raise ValidationError(_l("关系类型须为：%(v)s", v=allowed), field="kind") from exc
    item = Relation(
        expert_id=expert.id,
        credit_code=code,
        kind=kind,
        note=note.strip()[:200],
        declared_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        "experts.relation_declared", expert, {"credit_code": code, "kind": kind.value}, actor=actor
    )
    return item


def add_leave(
    expert: Expert, start: dt.datetime, end: dt.datetime, reason: str, actor: User
) -> Leave:
    own = policies.expert_of(actor)
    if not (own is not None and own.id == expert.id):
        policies.ensure(policies.can_manage_pool(actor, expert.centre_id))
    if end <= start:
        raise ValidationError(_l("请假结束时间须晚于开始时间。"), field="end_at")
    item = Leave(expert_id=expert.id, start_at=start, end_at=end, reason=reason.strip()[:200])
    db.session.add(item)
    db.session.flush()
    record(
        "experts.leave_added",
        expert,
        {"start": start.isoformat(), "end": end.isoformat()},
        actor=actor,
    )
    return item


def add_credit_entry(
    expert: Expert,
    kind: CreditKind | str,
    reason: str,
    actor: User,
    *,
    points: int = 0,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
) -> CreditEntry:
    policies.ensure(policies.can_manage_pool(actor, expert.centre_id))
    try:
        kind = CreditKind(kind)
    except ValueError as exc:
        raise ValidationError(
            _l("信用记录类型须为 reward、penalty 或 ban。"), field="kind"
        ) from exc
    if not reason.strip():
        raise ValidationError(_l("信用记录须填写事由。"), field="reason")
    start = start or clock.now()
    if kind == CreditKind.BAN and end is None:
        raise ValidationError(_l("禁评须填写截止时间（通常 1–3 年）。"), field="end_at")
    if end is not None and end <= start:
        raise ValidationError(_l("截止时间须晚于开始时间。"), field="end_at")
    item = CreditEntry(
        expert_id=expert.id,
        kind=kind,
        points=points,
        reason=reason.strip(),
        start_at=start,
        end_at=end,
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        "experts.credit_recorded",
        expert,
        {"kind": kind.value, "points": points, "end": end.isoformat() if end else None},
        actor=actor,
    )
    return item


def add_appraisal(
    expert: Expert, lot: Lot, checklist: dict[str, bool], score: int, comment: str, actor: User
) -> Appraisal:
    policies.ensure(
        policies.can_request_draw(actor, lot) or policies.can_manage_pool(actor, expert.centre_id)
    )
    unknown = sorted(set(checklist) - set(APPRAISAL_ITEMS))
    if unknown:
        raise ValidationError(_l("未知的考评项：%(v)s", v="、".join(unknown)), field="checklist")
    if not 1 <= int(score) <= 5:
        raise ValidationError(_l("总体评分须为 1–5。"), field="score")
    sat = db.session.execute(
        select(Sitting.at).where(Sitting.expert_id == expert.id, Sitting.lot_id == lot.id)
    ).scalar_one_or_none()
    if sat is None:
        raise ValidationError(_l("该专家未确认参加本标段的评标，不能考评。"), field="expert_id")
    if clock.now() < sat:
        raise TooEarly(_l("评标开始后方可考评专家。"))
    exists = db.session.execute(
        select(Appraisal.id).where(Appraisal.expert_id == expert.id, Appraisal.lot_id == lot.id)
    ).first()
    if exists:
        raise Conflict(_l("该专家在本标段已有考评记录。"))
    full = {k: bool(checklist.get(k, False)) for k in APPRAISAL_ITEMS}
    item = Appraisal(
        expert_id=expert.id,
        lot_id=lot.id,
        checklist=full,
        score=int(score),
        comment=comment.strip(),
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        "experts.appraised",
        expert,
        {"lot_id": lot.id, "score": int(score), "failed": [k for k, v in full.items() if not v]},
        actor=actor,
    )
    return item


# ---------------------------------------------------------------- CSV import
CSV_COLUMNS = (
    "name",
    "id_card",
    "phone",
    "email",
    "region",
    "title",
    "main_specialty",
    "secondary_specialties",
    "employer_code",
    "employer_name",
)
REQUIRED_COLUMNS = ("name", "id_card", "phone", "main_specialty")


class ImportRefused(ValidationError):
    code = "import_refused"

    def __init__(self, message: Any, rows: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.rows = rows

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["rows"] = self.rows
        return body


def import_csv(centre: Centre, text: str, actor: User) -> list[Expert]:
    """All rows or nothing: any bad row refuses the whole file, listing every bad row."""
    policies.ensure(policies.can_manage_pool(actor, centre.id))
    text = text.lstrip("\ufeff")
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportRefused(
            _l(
                "CSV 缺少必需的列：%(c)s（列名应为：%(all)s）",
                c="、".join(missing),
                all=",".join(CSV_COLUMNS),
            ),
            [{"row": 1, "column": c, "message": _("缺少此列")} for c in missing],
        )
    problems: list[dict[str, Any]] = []
    cleaned: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        if not any(row.values()):
            continue
        data = {k: row.get(k, "") for k in CSV_COLUMNS if k in header}
        try:
            fields = _clean_fields(data)
        except _FieldErrors as exc:
            problems += [{"row": line, "column": k, "message": v} for k, v in exc.errors.items()]
            continue
        id_hash = hash_id_card(fields["id_card"])
        if id_hash in seen:
            problems.append(
                {
                    "row": line,
                    "column": "id_card",
                    "message": _("与第 %(n)s 行身份证号码重复", n=seen[id_hash]),
                }
            )
            continue
        seen[id_hash] = line
        if _duplicate(centre.id, id_hash):
            problems.append(
                {"row": line, "column": "id_card", "message": _("该专家已在本中心专家库中")}
            )
            continue
        cleaned.append(fields)
    if problems:
        summary = "；".join(
            f"第 {p['row']} 行 {p['column']}：{p['message']}" for p in problems[:20]
        )
        raise ImportRefused(
            _l("导入失败，未导入任何专家。共 %(n)s 处错误：%(s)s", n=len(problems), s=summary),
            problems,
        )
    if not cleaned:
        raise ImportRefused(_l("文件中没有专家数据。"), [])
    experts: list[Expert] = []
    for fields in cleaned:
        expert = Expert(centre_id=centre.id, created_at=clock.now(), status=ExpertStatus.ACTIVE)
        _apply(expert, fields)
        db.session.add(expert)
        experts.append(expert)
    db.session.flush()
    record("experts.imported", centre, {"count": len(experts)}, actor=actor)
    return experts
