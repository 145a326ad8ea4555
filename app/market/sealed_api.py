"""JSON API of sealed quotes (/api/v1/market/needs/<id>/…): key, quotes, opening, review."""

from __future__ import annotations

from typing import Any

from flask import request, send_file
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.extensions import db
from app.core.storage import get_store
from app.market import needs, policies, sealed, sealed_review
from app.market import sealed_schemas as s
from app.market.sealed_models import Quote, QuoteStatus

blp = Blueprint(
    "market_sealed_api",
    __name__,
    url_prefix="/api/v1/market",
    description="Sealed quotes (综合评审) of the services market",
)


def key_document(need_id: int) -> dict[str, Any]:
    need = needs.get_need(need_id)
    key = sealed.opening_key(need)
    return {
        "lot_id": need.id,
        "lot_code": sealed.lot_code(need),
        "public_key_pem": key.public_pem,
        "key_sha256": key.key_sha256,
        "k": 1,
        "n": 1,
    }


def quotes_view(user: Any, need_id: int) -> dict[str, Any]:
    """Before the opening: the count, and an agency's own sealed quote; after: every quote
    to those who may read them."""
    need = needs.get_need(need_id)
    rows = sealed.quotes(need)
    opened = any(q.status != QuoteStatus.SEALED for q in rows)
    visible = [
        q
        for q in rows
        if (opened and sealed.may_read(user, need, q))
        or (policies.is_agency_user(user) and user.organisation_id == q.org_id)
    ]
    out = []
    for q in visible:
        own = policies.is_agency_user(user) and user.organisation_id == q.org_id
        row = s.SealedQuoteOut().dump(q)
        out.append(row if own else row | {"receipt": {}})
    return {"count": len(rows), "opened": opened, "quotes": out}


@blp.route("/needs/<int:need_id>/opening-key")
class NeedKeyResource(MethodView):
    @blp.response(200, s.NeedKeyOut)
    def get(self, need_id: int) -> Any:
        """The need's public opening key: seal the quote to it (`tenderhall-seal seal --url`)."""
        return key_document(need_id)


@blp.route("/needs/<int:need_id>/quotes")
class QuotesResource(MethodView):
    @login_required
    @blp.response(200, s.SealedQuotesOut)
    def get(self, need_id: int) -> Any:
        """How many quotes arrived; their contents only after the opening."""
        return quotes_view(current_user, need_id)

    @login_required
    @blp.response(201, s.SealedQuoteOut)
    def post(self, need_id: int) -> Any:
        """Hand in the sealed quote (multipart, field `file`): once, before the deadline."""
        upload = request.files.get("file")
        quote = sealed.submit_quote(
            current_user,
            needs.get_need(need_id),
            upload.stream if upload else None,
            (upload.filename or "") if upload else "",
        )
        db.session.commit()
        return quote


@blp.route("/needs/<int:need_id>/opening")
class OpeningResource(MethodView):
    @login_required
    @blp.response(200, s.SealedQuotesOut)
    def post(self, need_id: int) -> Any:
        """The buyer opens every quote after the deadline."""
        sealed.open_quotes(current_user, needs.get_need(need_id))
        db.session.commit()
        return quotes_view(current_user, need_id)


@blp.route("/needs/<int:need_id>/quotes/<int:quote_id>/files/<int:index>")
class QuoteFileResource(MethodView):
    @login_required
    def get(self, need_id: int, quote_id: int, index: int) -> Any:
        """One file of an opened proposal (the buyer, the committee, supervisors, the agency)."""
        need = needs.get_need(need_id)
        quote = db.get_or_404(Quote, quote_id)
        meta = sealed.quote_file(current_user, need, quote, index)
        return send_file(
            get_store().open(meta["sha256"]),
            mimetype=meta.get("content_type") or "application/octet-stream",
            as_attachment=True,
            download_name=meta["name"],
        )


@blp.route("/needs/<int:need_id>/committee")
class CommitteeResource(MethodView):
    @login_required
    @blp.arguments(s.SealedCommitteeIn)
    @blp.response(201, s.SealedMemberOut(many=True))
    def post(self, data: dict[str, Any], need_id: int) -> Any:
        """The buyer names 3 or 5 of its own representatives after the opening."""
        rows = sealed_review.form_committee(current_user, needs.get_need(need_id), data["user_ids"])
        db.session.commit()
        return rows


@blp.route("/needs/<int:need_id>/scores")
class ScoresResource(MethodView):
    @login_required
    @blp.arguments(s.SealedScoresIn)
    @blp.response(201, s.SealedMemberOut)
    def post(self, data: dict[str, Any], need_id: int) -> Any:
        """A member's points for every opened quote and item, at once and final."""
        member = sealed_review.submit_scores(current_user, needs.get_need(need_id), data["scores"])
        db.session.commit()
        return member


def review_view(need_id: int) -> dict[str, Any]:
    need = needs.get_need(need_id)
    result = sealed_review.evaluation(need)
    return {
        "members": sealed_review.members(need),
        "complete": result is not None,
        "results": result.results if result else [],
    }


@blp.route("/needs/<int:need_id>/review")
class ReviewResource(MethodView):
    @login_required
    @blp.response(200, s.SealedReviewOut)
    def get(self, need_id: int) -> Any:
        """The committee and, once every member has scored, the totals and ranks."""
        need = needs.get_need(need_id)
        sealed_review.ensure_may_follow(current_user, need)
        return review_view(need_id)

    @login_required
    @blp.response(200, s.SealedReviewOut)
    def post(self, need_id: int) -> Any:
        """The buyer confirms the result: the highest total is awarded."""
        sealed_review.finish(current_user, needs.get_need(need_id))
        db.session.commit()
        return review_view(need_id)
