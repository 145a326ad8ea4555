"""Use cases of the expert pool: specialties, registration, edits, status, CSV import.

An expert's identity card number is never stored: only a keyed hash (to refuse the same
person twice in one centre's pool) and its last four characters.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
import secrets
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code
from app.core.auth.models import Centre, Role, User
from app.core.auth.services import create_user
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from experts import actions, policies
from experts.models import Expert, ExpertSpecialty, ExpertStatus, Specialty
from experts.specialties import SEED, level_of, parent_of

PHONE = re.compile(r"^1\d{10}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


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


def _checked_fields(data: dict[str, Any], partial: bool = False) -> dict[str, Any]:
    """The cleaned fields, or one ValidationError naming every bad field (form and API)."""
    try:
        return _clean_fields(data, partial)
    except _FieldErrors as exc:
        message = "；".join(f"{k}: {v}" for k, v in exc.errors.items())
        field = next(iter(exc.errors))
        raise ValidationError(
            _l("专家信息有误：%(m)s", m=message), field=field, **exc.errors
        ) from exc


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
    policies.ensure_can_manage_pool(actor, centre.id)
    fields = _checked_fields(data)
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
    record(
        actions.EXPERT_REGISTERED, expert, {"name": expert.name, "centre": centre.code}, actor=actor
    )
    return expert


def update_expert(expert: Expert, data: dict[str, Any], actor: User) -> Expert:
    policies.ensure_can_manage_pool(actor, expert.centre_id)
    fields = _checked_fields(data, partial=True)
    if "id_card" in fields and _duplicate(
        expert.centre_id, hash_id_card(fields["id_card"]), exclude=expert.id
    ):
        raise Conflict(_l("该身份证号码的专家已在本中心专家库中。"), field="id_card")
    _apply(expert, fields)
    db.session.flush()
    changed = sorted(k for k in fields if k != "id_card") + (
        ["id_card"] if "id_card" in fields else []
    )
    record(actions.EXPERT_UPDATED, expert, {"fields": changed}, actor=actor)
    return expert


def set_status(expert: Expert, status: ExpertStatus, reason: str, actor: User) -> Expert:
    policies.ensure_can_manage_pool(actor, expert.centre_id)
    if expert.status == ExpertStatus.RETIRED and status != ExpertStatus.RETIRED:
        raise Conflict(_l("已出库的专家不能恢复，请重新登记。"))
    if status != ExpertStatus.ACTIVE and not reason.strip():
        raise ValidationError(_l("暂停或出库须填写原因。"), field="reason")
    before = expert.status
    expert.status = status
    expert.status_reason = reason.strip()
    db.session.flush()
    record(
        actions.EXPERT_STATUS_CHANGED,
        expert,
        {"from": before.value, "to": status.value, "reason": reason.strip()},
        actor=actor,
    )
    return expert


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
    policies.ensure_can_manage_pool(actor, centre.id)
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
    record(actions.POOL_IMPORTED, centre, {"count": len(experts)}, actor=actor)
    return experts
