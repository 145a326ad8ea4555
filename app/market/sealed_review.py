"""The review of opened sealed quotes (综合评审): the buyer names a committee of 3 or 5 of
its own representatives, each member scores every opened quote once on the need's items,
and the highest total (remote_eval's comprehensive method) is awarded through needs.award."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.market import actions, agencies, policies, sealed
from app.market.models import Need, NeedMethod, NeedStatus
from app.market.needs import award
from app.market.sealed_models import Quote, QuoteScore, QuoteStatus, ReviewMember
from app.market.sealed_scoring import METHOD, scheme_of
from remote_eval.methods.base import BidderInput, Evaluation, score_problem

COMMITTEE_SIZES = (3, 5)


def members(need: Need) -> list[ReviewMember]:
    return list(
        db.session.execute(
            select(ReviewMember).where(ReviewMember.need_id == need.id).order_by(ReviewMember.seat)
        ).scalars()
    )


def member_of(user: Any, need: Need) -> ReviewMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        select(ReviewMember).where(ReviewMember.need_id == need.id, ReviewMember.user_id == user.id)
    ).scalar_one_or_none()


def representatives(need: Need) -> list[User]:
    """Who the buyer may name: its own organisation's purchaser accounts, active."""
    return list(
        db.session.execute(
            select(User)
            .where(
                User.organisation_id == need.buyer_org_id,
                User.role == Role.PURCHASER,
                User.is_active_flag.is_(True),
            )
            .order_by(User.display_name, User.id)
        ).scalars()
    )


def ensure_may_follow(user: Any, need: Need) -> None:
    """The review's progress and scores: the buyer, its members and supervisors; everyone
    once the result is published (the portal shows the table)."""
    from app.market.needs import PUBLISHED

    if need.status in PUBLISHED and need.method == NeedMethod.SEALED:
        return
    if policies.is_buyer_of(user, need) or policies.can_supervise_market(user):
        return
    if member_of(user, need) is None:
        raise Forbidden(_l("只有采购人、评审小组成员和监督人员可以查看评审进度。"))


def form_committee(actor: Any, need: Need, user_ids: list[int]) -> list[ReviewMember]:
    """The buyer names 3 or 5 of its representatives once the quotes are open."""
    policies.ensure_buyer_of(actor, need)
    if need.method != NeedMethod.SEALED or need.status != NeedStatus.CLOSED:
        raise Conflict(_l("报价开启后、定标前方可组建评审小组。"))
    if members(need):
        raise Conflict(_l("评审小组已组建，不能更改。"))
    ids = list(dict.fromkeys(int(i) for i in user_ids))
    if len(ids) not in COMMITTEE_SIZES:
        raise ValidationError(
            _l("评审小组应为 3 人或 5 人，现选了 %(n)s 人。", n=len(ids)), field="user_ids"
        )
    allowed = {u.id for u in representatives(need)}
    if any(i not in allowed for i in ids):
        raise ValidationError(_l("评审小组成员只能是本单位的采购人账号。"), field="user_ids")
    rows = [ReviewMember(need_id=need.id, user_id=uid, seat=n) for n, uid in enumerate(ids, 1)]
    db.session.add_all(rows)
    db.session.flush()
    record(actions.COMMITTEE_FORMED, need, {"user_ids": ids}, actor=actor)
    return rows


def opened_quotes(need: Need) -> list[Quote]:
    return [q for q in sealed.quotes(need) if q.status == QuoteStatus.OPENED]


def _value(raw: Any) -> Decimal | None:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def submit_scores(actor: Any, need: Need, sheets: dict[Any, dict[str, Any]]) -> ReviewMember:
    """A member's points for every opened quote and item, all at once and final."""
    member = member_of(actor, need)
    if member is None:
        raise sealed.refuse(Forbidden(_l("只有评审小组成员可以评分。")), need, "score_not_member")
    if need.status != NeedStatus.CLOSED:
        raise Conflict(_l("评审已结束。"))
    if member.submitted_at is not None:
        raise Conflict(_l("您已提交评分，不能修改。"))
    assert need.scoring is not None
    scheme = scheme_of(need.scoring)
    rows: list[QuoteScore] = []
    for quote in opened_quotes(need):
        sheet = sheets.get(str(quote.id), sheets.get(quote.id)) or {}
        points: dict[str, str] = {}
        for item in scheme.technical:
            value = _value(sheet.get(item.id, ""))
            problem = str(_l("请填写分数。")) if value is None else score_problem(item, value)
            if problem:
                raise sealed.refuse(
                    ValidationError(
                        _l(
                            "“%(org)s”的“%(item)s”：%(why)s",
                            org=quote.org.name,
                            item=item.name,
                            why=problem,
                        ),
                        field=f"q{quote.id}_{item.id}",
                    ),
                    need,
                    "score_invalid",
                    quote=quote.id,
                    item=item.id,
                )
            assert value is not None
            points[item.id] = str(value)
        rows.append(
            QuoteScore(quote_id=quote.id, member_id=member.id, points=points, at=clock.now())
        )
    db.session.add_all(rows)
    member.submitted_at = clock.now()
    db.session.flush()
    record(
        actions.SCORES_SUBMITTED,
        need,
        {"seat": member.seat, "scores": {str(r.quote_id): r.points for r in rows}},
        actor=actor,
    )
    return member


def evaluation(need: Need) -> Evaluation | None:
    """The totals and ranking once every member has scored; None before."""
    team = members(need)
    if not team or any(m.submitted_at is None for m in team) or need.scoring is None:
        return None
    quotes = opened_quotes(need)
    scores = db.session.execute(
        select(QuoteScore).where(QuoteScore.quote_id.in_([q.id for q in quotes]))
    ).scalars()
    by_quote: dict[int, dict[str, dict[str, Decimal]]] = {q.id: {} for q in quotes}
    for s in scores:
        by_quote[s.quote_id][str(s.member_id)] = {k: Decimal(v) for k, v in s.points.items()}
    inputs = []
    for q in quotes:
        refusal = agencies.refusal(
            db.session.get(agencies.AgencyProfile, q.org_id), need.type_code, need.required_level
        )
        inputs.append(
            BidderInput(
                bid_id=q.id,
                name=q.org.name,
                price=q.price,
                submitted_at=q.submitted_at,
                passed=refusal is None,
                fail_reasons=[str(refusal)] if refusal is not None else [],
                member_scores=by_quote[q.id],
            )
        )
    return METHOD.evaluate(inputs, scheme_of(need.scoring), need.ceiling)


def finish(actor: Any, need: Need) -> Need:
    """The buyer confirms the result: the highest total wins, published with the scores."""
    policies.ensure_buyer_of(actor, need)
    if need.method != NeedMethod.SEALED or need.status != NeedStatus.CLOSED:
        raise Conflict(_l("只有已开启报价、尚未定标的综合评审可以确认结果。"))
    result = evaluation(need)
    if result is None:
        raise Conflict(_l("评审小组全部成员提交评分后方可确认结果。"))
    if not result.candidates:
        raise Conflict(_l("没有有效报价，不能成交；可终止后重新发布。"))
    record(
        actions.SEALED_RESULT,
        need,
        {
            "results": [
                {
                    "quote": r.bid_id,
                    "price": str(r.price) if r.price is not None else None,
                    "price_score": str(r.price_score) if r.price_score is not None else None,
                    "technical": str(r.technical) if r.technical is not None else None,
                    "total": str(r.total) if r.total is not None else None,
                    "rank": r.rank,
                    "rejected": r.rejected_reason,
                }
                for r in result.results
            ]
        },
        actor=actor,
    )
    best = result.candidates[0]
    quote = db.session.get(Quote, best.bid_id)
    assert quote is not None and quote.price is not None and best.total is not None
    # The reason is the published score table (evaluation), not a sentence frozen in
    # one language.
    return award(actor, need, quote.org_id, quote.price, "")
