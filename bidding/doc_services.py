"""Tender documents, downloads, clarifications (澄清/更正), Q&A (答疑) and objections (异议).

Every function takes ORM objects and the acting user, checks its own permissions (the
views check them too), flushes and audits; the caller commits once.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.calendar import calendar_for
from app.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TooEarly,
    TooLate,
    ValidationError,
)
from app.core.extensions import db
from app.core.notify import notify
from app.core.storage import get_store
from bidding.clocks import clarification_deadline, clarification_min_days
from bidding.documents import DocumentDownload, Objection, ObjectionStatus, Question, TenderDocument
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Project
from bidding.policies import can_manage_project, can_oversee_centre, is_agency_staff

TEXT_MAX = 5000
TITLE_MAX = 300
OPEN_STATUSES = (LotStatus.PUBLISHED, LotStatus.SUSPENDED)
NO_ACCESS = _l("您无权查看该标段的此项内容。")


# --------------------------------------------------------------------------- errors


class DeadlineMustMove(Conflict):
    """A clarification inside the legal window: the staff member must confirm a new deadline."""

    code = "deadline_must_move"

    def __init__(self, message: Any, *, proposed: dt.datetime, minimum: dt.datetime) -> None:
        super().__init__(message, proposed_deadline=proposed.isoformat())
        self.proposed = proposed
        self.minimum = minimum

    def to_dict(self) -> dict[str, Any]:
        body = super().to_dict()
        body["proposed_deadline"] = self.proposed.isoformat()
        body["minimum_deadline"] = self.minimum.isoformat()
        return body


class DocumentDamaged(DomainError):
    """The stored file no longer matches the hash recorded at upload."""

    status = 409
    code = "document_damaged"


# --------------------------------------------------------------------------- policies


def can_manage_lot(user: Any, lot: Lot) -> bool:
    """Staff of the project's own agency."""
    return can_manage_project(user, lot.project)


def can_supervise_lot(user: Any, lot: Lot) -> bool:
    """Supervisors of the project's centre (administrators are deliberately not included)."""
    return (
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.role == Role.SUPERVISOR
        and can_oversee_centre(user, lot.project.centre_id)
    )


def ensure_manager(user: Any, lot: Lot) -> None:
    if not can_manage_lot(user, lot):
        raise Forbidden(_l("只有本项目代理机构或交易中心的工作人员可以执行此操作。"))


def supplier_org(user: Any) -> Organisation:
    """The supplier organisation the user acts for, refusing blacklisted ones."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != Role.SUPPLIER:
        raise Forbidden(_l("只有供应商用户可以执行此操作。"))
    org = user.organisation
    if org is None or org.kind != OrgKind.SUPPLIER:
        raise Forbidden(_l("您的账号未关联供应商企业，请先完善企业信息。"))
    if org.blacklisted_until is not None and org.blacklisted_until > clock.now():
        raise Forbidden(
            _l(
                "贵单位已被列入失信名单，%(t)s 前不得参与投标活动。",
                t=formatting.cst(org.blacklisted_until),
            )
        )
    return org


def has_downloaded(lot: Lot, org: Organisation) -> bool:
    return (
        db.session.execute(
            select(DocumentDownload.id)
            .where(DocumentDownload.lot_id == lot.id, DocumentDownload.supplier_id == org.id)
            .limit(1)
        ).first()
        is not None
    )


def ensure_downloader(user: Any, lot: Lot) -> Organisation:
    org = supplier_org(user)
    if not has_downloaded(lot, org):
        raise Forbidden(_l("只有已下载本标段招标文件的供应商可以执行此操作。"))
    return org


def _lock_lot(lot: Lot) -> None:
    # Serialises version numbering and status changes of one lot (no-op on SQLite).
    db.session.execute(select(Lot.id).where(Lot.id == lot.id).with_for_update())


def _before_deadline(lot: Lot) -> None:
    if lot.bid_deadline is not None and clock.now() >= lot.bid_deadline:
        raise TooLate(
            _l("投标截止时间（%(t)s）已过，不能再办理此事项。", t=formatting.cst(lot.bid_deadline))
        )


def _clean_text(value: str | None, field: str, label: Any, *, max_len: int = TEXT_MAX) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(_l("%(f)s不能为空。", f=label), field=field)
    if len(text) > max_len:
        raise ValidationError(_l("%(f)s不得超过 %(n)s 个字符。", f=label, n=max_len), field=field)
    return text


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class StagedFile:
    """A validated file already in the content-addressed store, not yet a document version."""

    sha256: str
    size: int
    filename: str


def clean_filename(raw: str | None) -> str:
    name = os.path.basename((raw or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*')
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext) if dot else name[:200]
    return name


def stage_file(stream: IO[bytes] | None, filename: str | None) -> StagedFile:
    """Validate name, extension and size, and store the bytes. Nothing is written on refusal."""
    allowed = tuple(current_app.config["ALLOWED_DOCUMENT_EXTENSIONS"])
    limit = int(current_app.config["MAX_DOCUMENT_BYTES"])
    allowed_text = "、".join(allowed)
    name = clean_filename(filename)
    if stream is None or not name:
        raise ValidationError(_l("请选择要上传的招标文件。"), field="file")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in allowed:
        raise ValidationError(
            _l(
                "不支持的文件类型“%(ext)s”，只允许上传：%(allowed)s。",
                ext=ext or _l("无扩展名"),
                allowed=allowed_text,
            ),
            field="file",
        )
    try:
        sha, size = get_store().put_stream(stream, max_bytes=limit)
    except ValidationError as exc:
        if "limit" in exc.details:
            raise ValidationError(
                _l("文件过大：单个招标文件不得超过 %(mb)s MB。", mb=_mb(limit)), field="file"
            ) from None
        raise ValidationError(
            _l("文件为空（0 字节），请选择有内容的文件。"), field="file"
        ) from None
    return StagedFile(sha256=sha, size=size, filename=name)


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:g}" if value >= 1 else f"{value:.2f}"


def documents_of(lot: Lot) -> list[TenderDocument]:
    """All versions, newest first."""
    return list(
        db.session.execute(
            select(TenderDocument)
            .where(TenderDocument.lot_id == lot.id)
            .order_by(TenderDocument.version.desc())
        ).scalars()
    )


def current_document(lot: Lot) -> TenderDocument | None:
    return db.session.execute(
        select(TenderDocument)
        .where(TenderDocument.lot_id == lot.id)
        .order_by(TenderDocument.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def _add_version(
    lot: Lot, user: User, staged: StagedFile, note: str, announcement: Announcement | None
) -> TenderDocument:
    _lock_lot(lot)
    last = db.session.execute(
        select(func.max(TenderDocument.version)).where(TenderDocument.lot_id == lot.id)
    ).scalar()
    doc = TenderDocument(
        lot_id=lot.id,
        version=(last or 0) + 1,
        filename=staged.filename,
        sha256=staged.sha256,
        size=staged.size,
        uploaded_by_id=user.id,
        uploaded_at=clock.now(),
        announcement_id=announcement.id if announcement else None,
        note=note,
    )
    db.session.add(doc)
    db.session.flush()
    record(
        "tender_document.upload",
        doc,
        {
            "lot_id": lot.id,
            "version": doc.version,
            "filename": doc.filename,
            "sha256": doc.sha256,
            "size": doc.size,
            "announcement_id": doc.announcement_id,
        },
    )
    return doc


def can_upload_directly(lot: Lot) -> bool:
    """Before publication, or the first issue of a published lot. Later versions go
    through a clarification, so that every downloader hears of them."""
    if lot.status == LotStatus.DRAFT:
        return True
    return (
        lot.status in OPEN_STATUSES
        and current_document(lot) is None
        and (lot.bid_deadline is None or clock.now() < lot.bid_deadline)
    )


def upload_document(lot: Lot, user: User, staged: StagedFile, note: str = "") -> TenderDocument:
    """A new version of the tender documents."""
    ensure_manager(user, lot)
    note = (note or "").strip()[:TEXT_MAX]
    if can_upload_directly(lot):
        return _add_version(lot, user, staged, note, None)
    if lot.status in OPEN_STATUSES and current_document(lot) is not None:
        raise Conflict(
            _l("该标段已发布招标文件，新版本须通过“澄清/更正”发布，以便通知所有已下载的供应商。")
        )
    raise Conflict(_l("标段当前状态不允许上传招标文件。"))


def document_version(lot: Lot, version: int) -> TenderDocument:
    doc = db.session.execute(
        select(TenderDocument).where(
            TenderDocument.lot_id == lot.id, TenderDocument.version == version
        )
    ).scalar_one_or_none()
    if doc is None:
        raise NotFound(_l("该版本的招标文件不存在。"))
    return doc


def check_intact(doc: TenderDocument) -> None:
    if not get_store().verify(doc.sha256):
        current_app.logger.error("tender document %s fails its hash check", doc.id)
        raise DocumentDamaged(
            _l("招标文件校验失败（文件与登记的哈希值不一致），已暂停下载，请联系交易中心。")
        )


def staff_fetch(lot: Lot, user: User, version: int) -> TenderDocument:
    """Staff and supervisors read any version; this is not a supplier download."""
    if not (can_manage_lot(user, lot) or can_supervise_lot(user, lot)):
        raise Forbidden(_l("您无权下载该标段的招标文件。"))
    doc = document_version(lot, version)
    check_intact(doc)
    return doc


def download_refusal(lot: Lot, user: User) -> DomainError | None:
    """Why this supplier may not download now, or None when it may."""
    try:
        org = supplier_org(user)
    except DomainError as exc:
        return exc
    if lot.status != LotStatus.PUBLISHED:
        if lot.status == LotStatus.SUSPENDED:
            return Conflict(_l("该标段因异议暂停，暂停期间不提供招标文件下载。"))
        return Conflict(_l("该标段当前不在招标文件发售期内。"))
    if current_document(lot) is None:
        return NotFound(_l("该标段尚未上传招标文件。"))
    now = clock.now()
    start, end = lot.doc_start_at, lot.doc_end_at
    if start is not None and end is not None and start <= now <= end:
        return None
    # A supplier who already holds the documents keeps receiving new versions until the deadline.
    if has_downloaded(lot, org) and lot.bid_deadline is not None and now < lot.bid_deadline:
        return None
    if start is not None and now < start:
        return TooEarly(_l("招标文件获取期自 %(t)s（北京时间）开始。", t=formatting.cst(start)))
    if end is not None:
        return TooLate(_l("招标文件获取期已于 %(t)s（北京时间）结束。", t=formatting.cst(end)))
    return Conflict(_l("该标段未设定招标文件获取期。"))


def download_document(
    lot: Lot, user: User, *, ip: str = "", user_agent: str = ""
) -> TenderDocument:
    """Record a supplier's download of the current version; the caller streams the bytes."""
    refusal = download_refusal(lot, user)
    if refusal is not None:
        raise refusal
    org = supplier_org(user)
    doc = current_document(lot)
    assert doc is not None
    check_intact(doc)
    dl = DocumentDownload(
        lot_id=lot.id,
        document_id=doc.id,
        supplier_id=org.id,
        user_id=user.id,
        at=clock.now(),
        ip=(ip or "")[:64],
        user_agent=(user_agent or "")[:300],
    )
    db.session.add(dl)
    db.session.flush()
    record("tender_document.download", dl, {"lot_id": lot.id, "version": doc.version})
    return doc


def list_downloaders(lot: Lot, user: User) -> list[DocumentDownload]:
    """Who downloaded: secret from everyone until the bid deadline has passed."""
    if lot.bid_deadline is None or clock.now() < lot.bid_deadline:
        raise Forbidden(
            _l(
                "投标截止（%(t)s）前，任何人均不得查看招标文件下载人名单。",
                t=formatting.cst(lot.bid_deadline),
            )
        )
    if not (can_manage_lot(user, lot) or can_supervise_lot(user, lot)):
        raise Forbidden(_l("只有本项目代理机构工作人员和监督人员可以查看下载人名单。"))
    return list(
        db.session.execute(
            select(DocumentDownload)
            .where(DocumentDownload.lot_id == lot.id)
            .order_by(DocumentDownload.at, DocumentDownload.id)
        ).scalars()
    )


def downloaders_visible(lot: Lot, user: User) -> bool:
    try:
        list_downloaders(lot, user)
    except DomainError:
        return False
    return True


def downloader_users(lot: Lot) -> list[User]:
    ids = select(DocumentDownload.user_id).where(DocumentDownload.lot_id == lot.id).distinct()
    return list(
        db.session.execute(select(User).where(User.id.in_(ids)).order_by(User.id)).scalars()
    )


def notify_downloaders(lot: Lot, title: str, body: str, link: str) -> int:
    """Inbox message now and e-mail after commit to every user who downloaded the documents."""
    users = [u for u in downloader_users(lot) if u.is_active]
    for user in users:
        notify(user, "lot_documents", title, body, link)
    return len(users)


def supplier_lot_link(lot: Lot) -> str:
    return f"/supplier/lots/{lot.id}"


def supplier_lots(user: User) -> list[Lot]:
    """Lots whose documents the user's organisation downloaded (我的投标项目)."""
    if user.role != Role.SUPPLIER or user.organisation_id is None:
        raise Forbidden(_l("只有供应商用户可以查看投标项目。"))
    ids = (
        select(DocumentDownload.lot_id)
        .where(DocumentDownload.supplier_id == user.organisation_id)
        .distinct()
    )
    return list(
        db.session.execute(
            select(Lot).where(Lot.id.in_(ids)).order_by(Lot.bid_deadline.desc(), Lot.id.desc())
        ).scalars()
    )


def managed_lots(user: User) -> list[Lot]:
    """Lots whose documents the staff member may manage (those of their agency's projects)."""
    if not is_agency_staff(user):
        raise Forbidden(_l("只有代理机构的工作人员可以管理招标文件。"))
    return list(
        db.session.execute(
            select(Lot)
            .join(Project)
            .where(Project.agency_id == user.organisation_id)
            .order_by(Lot.id.desc())
            .limit(500)
        ).scalars()
    )


# --------------------------------------------------------------------------- clarifications


def _clarification_days(lot: Lot) -> int:
    return clarification_min_days(current_app.config, lot.project.centre.settings)


def clarification_floor(lot: Lot) -> dt.datetime | None:
    """The earliest deadline allowed for a clarification published now, or None when the
    current deadline already leaves the legal minimum."""
    if lot.bid_deadline is None:
        return None
    if clarification_deadline(clock.now(), lot.bid_deadline, _clarification_days(lot)) is None:
        return None
    return clock.now() + dt.timedelta(days=_clarification_days(lot))


def propose_deadline(lot: Lot) -> dt.datetime | None:
    """The lawful new deadline at the old opening time of day, moved on to a working day."""
    if lot.bid_deadline is None:
        return None
    proposed = clarification_deadline(clock.now(), lot.bid_deadline, _clarification_days(lot))
    if proposed is None:
        return None
    cal = calendar_for(lot.project.centre_id)
    for _ in range(60):
        if cal.is_working_day(clock.cst_date(proposed)):
            break
        proposed += dt.timedelta(days=1)
    return proposed


@dataclass(frozen=True)
class ClarificationPlan:
    deadline: dt.datetime | None
    must_move: bool
    minimum: dt.datetime | None
    proposed: dt.datetime | None


def plan_clarification(lot: Lot) -> ClarificationPlan:
    floor = clarification_floor(lot)
    if floor is None:
        return ClarificationPlan(lot.bid_deadline, False, None, None)
    return ClarificationPlan(lot.bid_deadline, True, floor, propose_deadline(lot))


def clarifications_of(lot: Lot) -> list[Announcement]:
    return list(
        db.session.execute(
            select(Announcement)
            .where(
                Announcement.lot_id == lot.id,
                Announcement.kind == AnnouncementKind.CLARIFICATION,
                Announcement.published_at.is_not(None),
            )
            .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        ).scalars()
    )


def _publish_announcement(
    lot: Lot, user: User, title: str, body: str, fields: dict[str, Any]
) -> Announcement:
    from bidding.services import publish_announcement

    return publish_announcement(
        user, lot.project, AnnouncementKind.CLARIFICATION, title, body, lot=lot, fields=fields
    )


def publish_clarification(
    lot: Lot,
    user: User,
    *,
    title: str,
    body: str,
    staged: StagedFile | None = None,
    new_deadline: dt.datetime | None = None,
) -> Announcement:
    """Publish a clarification/amendment, optionally with a new document version.

    Inside CLARIFICATION_MIN_DAYS of the deadline the deadline must move: without an
    explicit new deadline this raises DeadlineMustMove carrying the proposed date.
    """
    ensure_manager(user, lot)
    if lot.status not in OPEN_STATUSES:
        raise Conflict(_l("只有已发布（或因异议暂停）的标段可以发布澄清/更正公告。"))
    _before_deadline(lot)
    title = _clean_text(title, "title", _l("公告标题"), max_len=TITLE_MAX)
    body = _clean_text(body, "body", _l("澄清/更正内容"))
    days = _clarification_days(lot)
    plan = plan_clarification(lot)
    old = lot.bid_deadline
    if plan.must_move:
        assert plan.minimum is not None and plan.proposed is not None
        if new_deadline is None:
            raise DeadlineMustMove(
                _l(
                    "澄清/更正距投标截止不足 %(d)s 日，截止时间须顺延至不早于 %(m)s；"
                    "建议顺延至 %(p)s（北京时间），请确认后再发布。",
                    d=days,
                    m=formatting.cst(plan.minimum),
                    p=formatting.cst(plan.proposed),
                ),
                proposed=plan.proposed,
                minimum=plan.minimum,
            )
        if new_deadline < plan.minimum:
            raise ValidationError(
                _l(
                    "新的投标截止时间不得早于 %(m)s（发布之日起 %(d)s 日）。",
                    m=formatting.cst(plan.minimum),
                    d=days,
                ),
                field="new_deadline",
            )
    elif new_deadline is not None and old is not None and new_deadline < old:
        raise ValidationError(
            _l("澄清/更正不能提前投标截止时间（当前为 %(t)s）。", t=formatting.cst(old)),
            field="new_deadline",
        )
    moved = new_deadline is not None and new_deadline != old
    fields: dict[str, Any] = {
        "old_deadline": old.isoformat() if old else None,
        "new_deadline": (new_deadline if moved else old).isoformat() if (old or moved) else None,
        "deadline_moved": moved,
    }
    if moved:
        assert new_deadline is not None
        _lock_lot(lot)
        lot.bid_deadline = new_deadline
        db.session.flush()
        record(
            "lot.deadline_move",
            lot,
            {
                "old": old.isoformat() if old else None,
                "new": new_deadline.isoformat(),
                "reason": "clarification",
            },
        )
    ann = _publish_announcement(lot, user, title, body, fields)
    if staged is not None:
        doc = _add_version(lot, user, staged, title, ann)
        fields = {**fields, "document_version": doc.version, "document_sha256": doc.sha256}
        ann.fields = fields
    db.session.flush()
    text = body
    if moved:
        text += "\n\n" + str(
            _l(
                "投标截止（开标）时间由 %(o)s 顺延至 %(n)s（北京时间）。",
                o=formatting.cst(old),
                n=formatting.cst(new_deadline),
            )
        )
    if staged is not None:
        text += "\n\n" + str(_l("招标文件已更新，请下载最新版本。"))
    notify_downloaders(
        lot,
        str(_l("澄清/更正：%(lot)s", lot=lot.name)) + " — " + title,
        text,
        supplier_lot_link(lot),
    )
    return ann


# --------------------------------------------------------------------------- Q&A


def ask_question(lot: Lot, user: User, text: str) -> Question:
    org = ensure_downloader(user, lot)
    if lot.status not in OPEN_STATUSES:
        raise Conflict(_l("该标段当前不接受提问。"))
    _before_deadline(lot)
    text = _clean_text(text, "text", _l("问题内容"))
    q = Question(
        lot_id=lot.id,
        asked_by_org_id=org.id,
        asked_by_id=user.id,
        text=text,
        asked_at=clock.now(),
        answer="",
        published=False,
    )
    db.session.add(q)
    db.session.flush()
    record("question.ask", q, {"lot_id": lot.id})
    return q


def answer_question(q: Question, user: User, answer: str) -> Question:
    """Answer and publish to every downloader, without the asker's identity."""
    lot = q.lot
    ensure_manager(user, lot)
    if q.published:
        raise Conflict(_l("该问题已答复并发布，不能重复答复；如需更正请发布澄清公告。"))
    answer = _clean_text(answer, "answer", _l("答复内容"))
    q.answer = answer
    q.answered_by_id = user.id
    q.answered_at = clock.now()
    q.published = True
    db.session.flush()
    record("question.answer", q, {"lot_id": lot.id})
    notify_downloaders(
        lot,
        str(_l("答疑已发布：%(lot)s", lot=lot.name)),
        str(_l("问：%(q)s\n答：%(a)s", q=q.text, a=answer)),
        supplier_lot_link(lot),
    )
    return q


def published_questions(lot: Lot) -> list[Question]:
    return list(
        db.session.execute(
            select(Question)
            .where(Question.lot_id == lot.id, Question.published.is_(True))
            .order_by(Question.answered_at, Question.id)
        ).scalars()
    )


def own_pending_questions(lot: Lot, user: User) -> list[Question]:
    if user.organisation_id is None:
        return []
    return list(
        db.session.execute(
            select(Question)
            .where(
                Question.lot_id == lot.id,
                Question.asked_by_org_id == user.organisation_id,
                Question.published.is_(False),
            )
            .order_by(Question.id)
        ).scalars()
    )


def all_questions(lot: Lot, user: User) -> list[Question]:
    ensure_manager(user, lot)
    return list(
        db.session.execute(
            select(Question)
            .where(Question.lot_id == lot.id)
            .order_by(Question.published, Question.asked_at, Question.id)
        ).scalars()
    )


def get_question(qid: int) -> Question:
    q = db.session.get(Question, qid)
    if q is None:
        raise NotFound(_l("问题不存在。"))
    return q


# --------------------------------------------------------------------------- objections


def objection_last_moment(lot: Lot) -> dt.datetime | None:
    if lot.bid_deadline is None:
        return None
    days = int(current_app.config["OBJECTION_LAST_DAYS_BEFORE_DEADLINE"])
    return lot.bid_deadline - dt.timedelta(days=days)


def file_objection(lot: Lot, user: User, text: str) -> Objection:
    """File an objection to the documents; the lot is suspended until it is answered."""
    org = ensure_downloader(user, lot)
    if lot.status not in OPEN_STATUSES:
        raise Conflict(_l("该标段当前不接受对招标文件的异议。"))
    text = _clean_text(text, "text", _l("异议内容"))
    last = objection_last_moment(lot)
    now = clock.now()
    if last is None or now > last:
        days = int(current_app.config["OBJECTION_LAST_DAYS_BEFORE_DEADLINE"])
        raise TooLate(
            _l(
                "对招标文件的异议须在投标截止时间 %(d)s 日前提出，最后期限为 %(t)s（北京时间），现已逾期。",
                d=days,
                t=formatting.cst(last),
            )
        )
    due = now + dt.timedelta(days=int(current_app.config["OBJECTION_ANSWER_DAYS"]))
    _lock_lot(lot)
    obj = Objection(
        lot_id=lot.id,
        supplier_id=org.id,
        user_id=user.id,
        text=text,
        filed_at=now,
        answer_due_at=due,
        status=ObjectionStatus.PENDING,
    )
    db.session.add(obj)
    if lot.status == LotStatus.PUBLISHED:
        lot.status = LotStatus.SUSPENDED
        lot.status_reason = str(
            _l(
                "供应商对招标文件提出异议，暂停至答复为止（答复期限 %(t)s）。",
                t=formatting.cst(due),
            )
        )
        db.session.flush()
        record("lot.suspend", lot, {"reason": "objection", "answer_due_at": due.isoformat()})
    db.session.flush()
    record("objection.file", obj, {"lot_id": lot.id, "answer_due_at": due.isoformat()})
    _notify_agency(
        lot,
        str(_l("收到对招标文件的异议：%(lot)s", lot=lot.name)),
        str(_l("请在 %(t)s（北京时间）前答复。标段已暂停。", t=formatting.cst(due))),
    )
    return obj


def _notify_agency(lot: Lot, title: str, body: str) -> None:
    staff = db.session.execute(
        select(User).where(
            User.organisation_id == lot.project.agency_id,
            User.role == Role.STAFF,
            User.is_active_flag.is_(True),
        )
    ).scalars()
    for member in staff:
        notify(member, "objection", title, body, f"/staff/lots/{lot.id}/objections")


def answer_objection(obj: Objection, user: User, answer: str) -> Objection:
    lot = obj.lot
    ensure_manager(user, lot)
    if obj.status != ObjectionStatus.PENDING:
        raise Conflict(_l("该异议已答复。"))
    answer = _clean_text(answer, "answer", _l("答复内容"))
    now = clock.now()
    _lock_lot(lot)
    obj.answer = answer
    obj.answered_by_id = user.id
    obj.answered_at = now
    obj.status = ObjectionStatus.ANSWERED
    db.session.flush()
    record(
        "objection.answer",
        obj,
        {"lot_id": lot.id, "overdue": now > obj.answer_due_at},
    )
    still_pending = db.session.execute(
        select(func.count())
        .select_from(Objection)
        .where(Objection.lot_id == lot.id, Objection.status == ObjectionStatus.PENDING)
    ).scalar_one()
    if still_pending == 0 and lot.status == LotStatus.SUSPENDED:
        lot.status = LotStatus.PUBLISHED
        lot.status_reason = ""
        db.session.flush()
        record("lot.resume", lot, {"reason": "objection_answered", "objection_id": obj.id})
    notify(
        obj.user,
        "objection_answered",
        str(_l("您对“%(lot)s”招标文件的异议已答复", lot=lot.name)),
        answer,
        supplier_lot_link(lot),
    )
    return obj


def objections_of(lot: Lot) -> list[Objection]:
    """Pending first; callers decide who may see them and whether the objector is named."""
    return list(
        db.session.execute(
            select(Objection)
            .where(Objection.lot_id == lot.id)
            .order_by(Objection.status.desc(), Objection.filed_at)
        ).scalars()
    )


def own_objections(lot: Lot, user: User) -> list[Objection]:
    if user.organisation_id is None:
        return []
    return list(
        db.session.execute(
            select(Objection)
            .where(Objection.lot_id == lot.id, Objection.supplier_id == user.organisation_id)
            .order_by(Objection.filed_at)
        ).scalars()
    )


def objector_visible(lot: Lot) -> bool:
    """Naming the objector would reveal a downloader, so it waits for the deadline too."""
    return lot.bid_deadline is not None and clock.now() >= lot.bid_deadline


def get_objection(oid: int) -> Objection:
    obj = db.session.get(Objection, oid)
    if obj is None:
        raise NotFound(_l("异议不存在。"))
    return obj


def get_lot(lot_id: int) -> Lot:
    lot = db.session.get(Lot, lot_id)
    if lot is None:
        raise NotFound(_l("标段不存在。"))
    return lot


def visible_to_supplier(lot: Lot) -> bool:
    return lot.status != LotStatus.DRAFT
