"""Questions on the documents (答疑): asked by downloaders, answered to all of them anonymously."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.errors import Conflict, NotFound
from app.core.extensions import db
from bidding import actions
from bidding.documents.downloads import notify_downloaders, supplier_lot_link
from bidding.documents.forms import clean_text
from bidding.documents.models import Question
from bidding.documents.policies import OPEN_STATUSES, ensure_before_deadline, ensure_downloader
from bidding.models import Lot
from bidding.policies import ensure_can_manage_lot


def ask_question(lot: Lot, user: User, text: str) -> Question:
    org = ensure_downloader(user, lot)
    if lot.status not in OPEN_STATUSES:
        raise Conflict(_l("该标段当前不接受提问。"))
    ensure_before_deadline(lot)
    text = clean_text(text, "text", _l("问题内容"))
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
    record(actions.QUESTION_ASKED, q, {"lot_id": lot.id})
    return q


def answer_question(q: Question, user: User, answer: str) -> Question:
    """Answer and publish to every downloader, without the asker's identity."""
    lot = q.lot
    ensure_can_manage_lot(user, lot)
    if q.published:
        raise Conflict(_l("该问题已答复并发布，不能重复答复；如需更正请发布澄清公告。"))
    answer = clean_text(answer, "answer", _l("答复内容"))
    q.answer = answer
    q.answered_by_id = user.id
    q.answered_at = clock.now()
    q.published = True
    db.session.flush()
    record(actions.QUESTION_ANSWERED, q, {"lot_id": lot.id})
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
    ensure_can_manage_lot(user, lot)
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
