"""Agencies join the market (no quota), keep their profile and qualifications; which of
their service types are listed follows the validity of their qualifications."""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.auth.services import create_user
from app.core.errors import Conflict, Forbidden, NotFound, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from app.market import actions, policies
from app.market.catalogue import get_type, leaf_types
from app.market.models import (
    AgencyProfile,
    AgencyService,
    AgencyStatus,
    Qualification,
    ServiceType,
)

CERT_MAX_BYTES = 10 * 1024 * 1024
ROWS_MAX = 50


def today() -> dt.date:
    return clock.cst_date(clock.now())


def register_agency(
    *,
    name: str,
    credit: str,
    username: str,
    password: str,
    contact_name: str,
    email: str,
    phone: str = "",
    region: str = "",
) -> User:
    """An agency registers itself and its first user in one transaction: no quota, no
    approval; it is listed once it declares a service type covered by a valid qualification."""
    if not name.strip():
        raise ValidationError(_l("请填写机构名称。"), field="name")
    code = credit_code.require_valid(credit)
    exists = db.session.execute(
        select(Organisation.id).where(Organisation.credit_code == code)
    ).first()
    if exists is not None:
        raise Conflict(_l("该统一社会信用代码已注册。"), field="credit_code")
    org = Organisation(
        kind=OrgKind.INTERMEDIARY,
        name=name.strip()[:200],
        credit_code=code,
        region=region.strip()[:60],
        contact_name=contact_name.strip()[:60],
        contact_phone=phone.strip()[:40],
        created_at=clock.now(),
    )
    db.session.add(org)
    db.session.flush()
    user = create_user(
        username=username,
        password=password,
        display_name=contact_name or username,
        role=Role.INTERMEDIARY,
        email=email,
        phone=phone,
        organisation=org,
    )
    db.session.add(
        AgencyProfile(org_id=org.id, registered_at=clock.now(), staff=[], fees=[], cases=[])
    )
    db.session.flush()
    record(
        actions.AGENCY_REGISTERED,
        org,
        {"name": org.name, "credit_code": code},
        actor=user,
    )
    return user


def get_profile(org_id: int) -> AgencyProfile:
    profile = db.session.get(AgencyProfile, org_id)
    if profile is None:
        raise NotFound(_l("中介机构不存在。"))
    return profile


def profile_of(user: Any) -> AgencyProfile:
    policies.ensure_agency_user(user)
    return get_profile(user.organisation_id)


def _rows(items: Any, keys: tuple[str, ...], field: str) -> list[dict[str, str]]:
    if not isinstance(items, list) or len(items) > ROWS_MAX:
        raise ValidationError(_l("列表最多 %(n)s 行。", n=ROWS_MAX), field=field)
    out = []
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError(_l("列表格式有误。"), field=field)
        row = {k: str(item.get(k, "") or "").strip()[:200] for k in keys}
        if any(row.values()):
            out.append(row)
    return out


STAFF_KEYS = ("name", "title", "certificate")
FEE_KEYS = ("service", "standard")
CASE_KEYS = ("title", "client", "year")


def save_profile(actor: Any, data: dict[str, Any]) -> AgencyProfile:
    """Intro, staff, fee standards, past cases and the declared service types, as a whole."""
    profile = profile_of(actor)
    profile.intro = str(data.get("intro", "") or "").strip()[:4000]
    profile.staff = _rows(data.get("staff", []), STAFF_KEYS, "staff")
    profile.fees = _rows(data.get("fees", []), FEE_KEYS, "fees")
    profile.cases = _rows(data.get("cases", []), CASE_KEYS, "cases")
    codes = sorted(set(data.get("type_codes") or []))
    allowed = {t.code for t in leaf_types()}
    unknown = [c for c in codes if c not in allowed]
    if unknown:
        raise ValidationError(
            _l("服务类别 %(c)s 不存在。", c="、".join(unknown)), field="type_codes"
        )
    have = {s.type_code: s for s in profile.services}
    for code, svc in have.items():
        if code not in codes:
            profile.services.remove(svc)
    for code in codes:
        if code not in have:
            profile.services.append(AgencyService(type_code=code, listed=False))
    db.session.flush()
    refresh_listing(profile)
    record(
        actions.PROFILE_SAVED,
        profile.org,
        {
            "types": codes,
            "staff": len(profile.staff),
            "fees": len(profile.fees),
            "cases": len(profile.cases),
        },
        actor=actor,
    )
    return profile


def add_qualification(
    actor: Any, data: dict[str, Any], stream: IO[bytes] | None, filename: str
) -> Qualification:
    """A qualification with its scanned certificate, kept content-addressed in the store."""
    profile = profile_of(actor)
    t = get_type(str(data.get("type_code", "")))
    name = str(data.get("name", "") or "").strip()
    number = str(data.get("number", "") or "").strip()
    issuer = str(data.get("issuer", "") or "").strip()
    if not name or not number or not issuer:
        raise ValidationError(_l("请填写资质名称、证书编号和发证机关。"), field="name")
    try:
        level = int(data.get("level", 0))
    except (TypeError, ValueError):
        level = 0
    if level not in (1, 2, 3):
        raise ValidationError(_l("资质等级应为甲级、乙级或丙级。"), field="level")
    valid_until = data.get("valid_until")
    if isinstance(valid_until, str):
        try:
            valid_until = dt.date.fromisoformat(valid_until)
        except ValueError:
            valid_until = None
    if not isinstance(valid_until, dt.date):
        raise ValidationError(_l("请填写有效期至（年-月-日）。"), field="valid_until")
    if valid_until < today():
        raise ValidationError(_l("该资质已过有效期，不能登记。"), field="valid_until")
    if stream is None or not filename:
        raise ValidationError(_l("请上传资质证书扫描件。"), field="certificate")
    try:
        sha, size = get_store().put_stream(stream, max_bytes=CERT_MAX_BYTES)
    except ValidationError as exc:
        raise ValidationError(_l("证书扫描件不得超过 10 MB。"), field="certificate") from exc
    if size == 0:
        raise ValidationError(_l("证书扫描件是空文件。"), field="certificate")
    qual = Qualification(
        org_id=profile.org_id,
        type_code=t.code,
        name=name[:120],
        level=level,
        number=number[:60],
        issuer=issuer[:120],
        valid_until=valid_until,
        cert_sha256=sha,
        cert_name=filename[-200:],
        created_at=clock.now(),
    )
    # Through the collection, so the listing below sees it even when it was loaded already.
    profile.qualifications.append(qual)
    if t.code not in {s.type_code for s in profile.services}:
        profile.services.append(AgencyService(type_code=t.code, listed=False))
    db.session.flush()
    refresh_listing(profile)
    record(
        actions.QUALIFICATION_ADDED,
        qual,
        {"type": t.code, "level": level, "number": qual.number, "sha256": sha},
        actor=actor,
    )
    return qual


def valid_levels(profile: AgencyProfile, on: dt.date | None = None) -> dict[str, int]:
    """The best (lowest-numbered) valid qualification level per service type."""
    day = on or today()
    best: dict[str, int] = {}
    for q in profile.qualifications:
        if q.valid_until >= day:
            best[q.type_code] = min(best.get(q.type_code, 9), q.level)
    return best


def refresh_listing(profile: AgencyProfile, on: dt.date | None = None) -> list[str]:
    """Show a declared type only while a valid qualification covers it; the codes changed."""
    levels = valid_levels(profile, on)
    changed = []
    for svc in profile.services:
        listed = svc.type_code in levels
        if svc.listed != listed:
            svc.listed = listed
            changed.append(svc.type_code)
    return changed


def refresh_all() -> int:
    """Bring every agency's listed types in line with its valid qualifications (in the
    caller's transaction); the number of types shown or hidden."""
    changed_total = 0
    for profile in db.session.execute(select(AgencyProfile)).scalars():
        changed = refresh_listing(profile)
        if changed:
            changed_total += len(changed)
            record(
                actions.SERVICES_LISTED,
                profile.org,
                {"types": changed, "listed": [s.type_code for s in profile.services if s.listed]},
            )
    return changed_total


def sweep_validity() -> int:
    """Scheduler job: hide the types whose qualifications expired (and show renewed ones)."""
    changed = refresh_all()
    db.session.commit()
    return changed


def refusal(profile: AgencyProfile | None, type_code: str, required_level: int) -> Any | None:
    """Why this agency may not serve a need of this type and level now; None when it may."""
    if profile is None:
        return _l("该机构未入驻中介超市。")
    if profile.status == AgencyStatus.SUSPENDED:
        return _l("该机构已被暂停，不能参与。")
    if profile.status == AgencyStatus.REMOVED:
        return _l("该机构已被清退出中介超市，不能参与。")
    level = valid_levels(profile).get(type_code)
    if level is None:
        return _l("该机构没有此服务类别的有效资质（资质已过期或未登记）。")
    if level > required_level:
        return _l("该机构的资质等级低于需求要求。")
    return None


def ensure_may_serve(org_id: int, type_code: str, required_level: int) -> AgencyProfile:
    profile = db.session.get(AgencyProfile, org_id)
    reason = refusal(profile, type_code, required_level)
    if reason is not None:
        raise Forbidden(reason)
    assert profile is not None
    return profile


def qualified_org_ids(type_code: str, required_level: int) -> list[int]:
    """Every active agency that may serve a need of this type and level, ascending."""
    day = today()
    rows = db.session.execute(
        select(Qualification.org_id)
        .join(AgencyProfile, AgencyProfile.org_id == Qualification.org_id)
        .where(
            Qualification.type_code == type_code,
            Qualification.valid_until >= day,
            Qualification.level <= required_level,
            AgencyProfile.status == AgencyStatus.ACTIVE,
        )
        .distinct()
    ).scalars()
    return sorted(set(rows))


def directory(q: str = "", type_code: str = "", level: int | None = None) -> list[AgencyProfile]:
    """Listed agencies for the portal: by name, service type and qualification level."""
    stmt = (
        select(AgencyProfile)
        .join(Organisation, Organisation.id == AgencyProfile.org_id)
        .where(
            AgencyProfile.status == AgencyStatus.ACTIVE,
            select(AgencyService.id)
            .where(AgencyService.org_id == AgencyProfile.org_id, AgencyService.listed.is_(True))
            .exists(),
        )
        .order_by(AgencyProfile.credit_score.desc(), Organisation.name)
    )
    if q.strip():
        like = f"%{q.strip()[:60]}%"
        stmt = stmt.where(or_(Organisation.name.like(like), AgencyProfile.intro.like(like)))
    if type_code:
        stmt = stmt.where(
            select(AgencyService.id)
            .where(
                AgencyService.org_id == AgencyProfile.org_id,
                AgencyService.type_code == type_code,
                AgencyService.listed.is_(True),
            )
            .exists()
        )
    if level in (1, 2, 3):
        stmt = stmt.where(
            select(Qualification.id)
            .where(
                Qualification.org_id == AgencyProfile.org_id,
                Qualification.level <= level,
                Qualification.valid_until >= today(),
                *([Qualification.type_code == type_code] if type_code else []),
            )
            .exists()
        )
    return list(db.session.execute(stmt.limit(200)).scalars())


def listed_types(profile: AgencyProfile) -> list[ServiceType]:
    return [s.type for s in profile.services if s.listed]


def count_listed() -> int:
    return int(
        db.session.execute(
            select(func.count(func.distinct(AgencyService.org_id))).where(
                AgencyService.listed.is_(True)
            )
        ).scalar_one()
    )
