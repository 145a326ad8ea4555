"""JSON API of the market (/api/v1/market): every action of the pages."""

from __future__ import annotations

from typing import Any

from flask import request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import NotFound
from app.core.extensions import db
from app.market import agencies, auction, catalogue, exits, needs, ratings, selection
from app.market import schemas as s
from app.market.models import AgencyStatus, Appeal, Rating

blp = Blueprint(
    "market_api", __name__, url_prefix="/api/v1/market", description="Intermediary services market"
)


@blp.route("/types")
class TypesResource(MethodView):
    @blp.response(200, s.TypeOut(many=True))
    def get(self) -> Any:
        """The service-type catalogue (a tree by parent_code)."""
        return catalogue.all_types()

    @login_required
    @blp.arguments(s.TypeIn)
    @blp.response(201, s.TypeOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Create or change a service type (administrators)."""
        item = catalogue.save_type(current_user, data)
        db.session.commit()
        return item


@blp.route("/agencies")
class AgenciesResource(MethodView):
    @blp.arguments(s.DirectoryArgs, location="query")
    @blp.response(200, s.AgencyOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Listed agencies, by name, service type and qualification level."""
        return agencies.directory(args["q"], args["type"], args["level"])

    @blp.arguments(s.RegisterIn)
    @blp.response(201, s.RegisteredOut)
    def post(self, data: dict[str, Any]) -> Any:
        """An agency registers itself and its first user (no quota, no approval)."""
        user = agencies.register_agency(
            name=data["name"],
            credit=data["credit_code"],
            username=data["username"],
            password=data["password"],
            contact_name=data["contact_name"],
            email=data["email"],
            phone=data["phone"],
            region=data["region"],
        )
        db.session.commit()
        return user


@blp.route("/agencies/<int:org_id>")
class AgencyResource(MethodView):
    @blp.response(200, s.AgencyOut)
    def get(self, org_id: int) -> Any:
        return agencies.get_profile(org_id)


@blp.route("/agencies/me")
class MyAgencyResource(MethodView):
    @login_required
    @blp.arguments(s.ProfileIn)
    @blp.response(200, s.AgencyOut)
    def put(self, data: dict[str, Any]) -> Any:
        """Replace the profile: intro, staff, fee standards, cases, declared service types."""
        profile = agencies.save_profile(current_user, data)
        db.session.commit()
        return profile


@blp.route("/agencies/me/qualifications")
class QualificationsResource(MethodView):
    @login_required
    @blp.arguments(s.QualificationIn, location="form")
    @blp.response(201, s.QualificationOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a qualification; multipart form with the scanned certificate as `certificate`."""
        upload = request.files.get("certificate")
        qual = agencies.add_qualification(
            current_user,
            data,
            upload.stream if upload else None,
            (upload.filename or "") if upload else "",
        )
        db.session.commit()
        return qual


@blp.route("/needs")
class NeedsResource(MethodView):
    @blp.response(200, s.NeedOut(many=True))
    def get(self) -> Any:
        """Open needs and published results."""
        return needs.open_needs() + needs.results()

    @login_required
    @blp.arguments(s.NeedIn)
    @blp.response(201, s.NeedOut)
    def post(self, data: dict[str, Any]) -> Any:
        """A buyer posts a need (auction fields required for method "auction")."""
        need = needs.post_need(current_user, data)
        db.session.commit()
        return need


@blp.route("/needs/<int:need_id>")
class NeedResource(MethodView):
    @blp.response(200, s.NeedOut)
    def get(self, need_id: int) -> Any:
        return needs.get_need(need_id)


@blp.route("/needs/<int:need_id>/interest")
class InterestResource(MethodView):
    @login_required
    @blp.response(201, s.NeedOut)
    def post(self, need_id: int) -> Any:
        """An agency signs up for the need."""
        need = needs.get_need(need_id)
        needs.sign_up(current_user, need)
        db.session.commit()
        return need


@blp.route("/needs/<int:need_id>/auction")
class AuctionResource(MethodView):
    @login_required
    @blp.response(200, s.AuctionStateOut)
    def get(self, need_id: int) -> Any:
        """Best price, counts, close time on the server clock and the caller's own rank."""
        need = needs.get_need(need_id)
        if not auction.may_join(current_user, auction.AUCTION.name(need.id)):
            raise NotFound(_l("该需求没有此项记录，或您无权查看。"))
        return auction.state_for(current_user, need)


@blp.route("/needs/<int:need_id>/bids")
class BidsResource(MethodView):
    @login_required
    @blp.arguments(s.BidIn)
    @blp.response(201, s.AuctionStateOut)
    def post(self, data: dict[str, Any], need_id: int) -> Any:
        """Bid: must beat the best by the step, before the (soft) close, by a qualified agency."""
        bid = auction.place_bid(current_user, need_id, data["price"])
        db.session.commit()
        return auction.state_for(current_user, needs.get_need(need_id)) | {"bid_seq": bid.seq}


@blp.route("/needs/<int:need_id>/direct")
class DirectResource(MethodView):
    @login_required
    @blp.arguments(s.DirectIn)
    @blp.response(200, s.NeedOut)
    def post(self, data: dict[str, Any], need_id: int) -> Any:
        """Direct choice with its reason (refused for government-commissioned services)."""
        need = needs.choose_directly(
            current_user, needs.get_need(need_id), data["org_id"], data["price"], data["reason"]
        )
        db.session.commit()
        return need


@blp.route("/needs/<int:need_id>/draw")
class DrawResource(MethodView):
    def get(self, need_id: int) -> Any:
        """The random selection's self-contained record (for scripts/verify_draw.py)."""
        item = selection.draw_of(needs.get_need(need_id))
        if item is None:
            raise NotFound(_l("该需求没有此项记录，或您无权查看。"))
        return selection.export_record(item)

    @login_required
    @blp.response(201, s.NeedOut)
    def post(self, need_id: int) -> Any:
        """Draw one agency at random among the qualified ones that signed up."""
        need = needs.get_need(need_id)
        selection.run_draw(current_user, need)
        db.session.commit()
        return need


@blp.route("/needs/<int:need_id>/award")
class AwardResource(MethodView):
    @login_required
    @blp.response(200, s.NeedOut)
    def post(self, need_id: int) -> Any:
        """Confirm a closed auction: the lowest qualified price wins."""
        need = needs.confirm_auction(current_user, needs.get_need(need_id))
        db.session.commit()
        return need


@blp.route("/needs/<int:need_id>/contract")
class ContractResource(MethodView):
    @login_required
    @blp.response(200, s.NeedOut)
    def post(self, need_id: int) -> Any:
        """Upload the signed contract (multipart, field `file`)."""
        upload = request.files.get("file")
        need = needs.upload_contract(
            current_user,
            needs.get_need(need_id),
            upload.stream if upload else None,
            (upload.filename or "") if upload else "",
        )
        db.session.commit()
        return need


@blp.route("/needs/<int:need_id>/completion")
class CompletionResource(MethodView):
    @login_required
    @blp.arguments(s.CompletionIn)
    @blp.response(200, s.NeedOut)
    def post(self, data: dict[str, Any], need_id: int) -> Any:
        need = needs.record_completion(current_user, needs.get_need(need_id), data["note"])
        db.session.commit()
        return need


@blp.route("/needs/<int:need_id>/rating")
class RatingResource(MethodView):
    @login_required
    @blp.arguments(s.RatingIn)
    @blp.response(201, s.MarketRatingOut)
    def post(self, data: dict[str, Any], need_id: int) -> Any:
        """The buyer rates the completed service once (1–5 on four counts)."""
        row = ratings.rate(current_user, needs.get_need(need_id), data)
        db.session.commit()
        return row


@blp.route("/ratings/<int:rating_id>/reply")
class ReplyResource(MethodView):
    @login_required
    @blp.arguments(s.ReplyIn)
    @blp.response(200, s.MarketRatingOut)
    def post(self, data: dict[str, Any], rating_id: int) -> Any:
        """The rated agency replies once."""
        rating = db.session.get(Rating, rating_id)
        if rating is None:
            raise NotFound(_l("评价不存在。"))
        row = ratings.reply(current_user, rating, data["reply"])
        db.session.commit()
        return row


@blp.route("/agencies/<int:org_id>/status")
class AgencyStatusResource(MethodView):
    @login_required
    @blp.arguments(s.AgencyStatusIn)
    @blp.response(200, s.AgencyOut)
    def post(self, data: dict[str, Any], org_id: int) -> Any:
        """Suspend, remove or restore an agency (supervisors and administrators)."""
        profile = agencies.get_profile(org_id)
        exits.set_status(current_user, profile, AgencyStatus(data["status"]), data["reason"])
        db.session.commit()
        return profile


@blp.route("/agencies/me/appeals")
class AppealsResource(MethodView):
    @login_required
    @blp.arguments(s.AppealIn)
    @blp.response(201, s.AppealOut)
    def post(self, data: dict[str, Any]) -> Any:
        """The suspended or removed agency appeals (one open appeal at a time)."""
        appeal = exits.file_appeal(current_user, data["text"])
        db.session.commit()
        return appeal


@blp.route("/appeals/<int:appeal_id>/decision")
class DecisionResource(MethodView):
    @login_required
    @blp.arguments(s.AppealDecisionIn)
    @blp.response(200, s.AppealOut)
    def post(self, data: dict[str, Any], appeal_id: int) -> Any:
        """A supervisor decides an appeal; upheld restores the agency."""
        appeal = db.session.get(Appeal, appeal_id)
        if appeal is None:
            raise NotFound(_l("申诉不存在。"))
        exits.decide_appeal(current_user, appeal, data["upheld"], data["answer"])
        db.session.commit()
        return appeal
