"""Public JSON API: announcements and the OCDS release feed (no login needed)."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask.views import MethodView
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.core.errors import NotFound
from app.core.extensions import db
from app.portal import ocds, ocds_records, queries
from app.portal.queries import Filters
from app.portal.schemas import (
    AnnouncementDetail,
    AnnouncementPage,
    AnnouncementQuery,
    OcdsPageQuery,
    OcdsRecordPackage,
    OcdsReleasePackage,
)
from bidding.models import Lot

blp = Blueprint(
    "portal_api", __name__, url_prefix="/api/v1", description="Public announcements and OCDS feed"
)


def _filters(args: dict[str, Any]) -> Filters:
    return Filters(
        centre=args.get("centre"),
        region=args.get("region") or None,
        kind=args.get("kind"),
        category=(args.get("category") or "").upper() or None,
        method=args.get("method"),
        status=queries.normalise_status(args.get("status")),
        q=(args.get("q") or "").strip() or None,
    )


@blp.route("/announcements")
class AnnouncementList(MethodView):
    @blp.arguments(AnnouncementQuery, location="query")
    @blp.response(200, AnnouncementPage)
    def get(self, args: dict[str, Any]) -> Any:
        """Published announcements, newest first, filtered and paginated."""
        page = queries.search(_filters(args), page=args["page"], per_page=args["per_page"])
        return {
            "total": page.total,
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
            "items": page.items,
        }


@blp.route("/announcements/<int:announcement_id>")
class AnnouncementItem(MethodView):
    @blp.response(200, AnnouncementDetail)
    def get(self, announcement_id: int) -> Any:
        """One published announcement with its project, lot and related notices."""
        a = queries.get_published(announcement_id)
        if a is None:
            raise NotFound(_("公告不存在或尚未发布。"))
        a.related_ids = [r.id for r in queries.related(a)]
        a.superseded_by_ids = [r.id for r in queries.superseded_by(a)]
        return a


def _json(body: dict[str, Any]) -> Response:
    return Response(ocds.dumps(body), mimetype="application/json")


@blp.route("/ocds/releases")
class ReleaseFeed(MethodView):
    @blp.arguments(OcdsPageQuery, location="query")
    @blp.response(200, OcdsReleasePackage)
    def get(self, args: dict[str, Any]) -> Any:
        """OCDS 1.1 release package of planning and tender releases, newest first."""
        page, per_page = args["page"], args["per_page"]
        releases, has_next = ocds.release_page(page, per_page)
        if not releases:
            # A 1.1 release package must hold at least one release (releases.minItems = 1).
            raise NotFound(
                _("第 %(p)d 页没有已发布的 OCDS 发布记录；请从第 1 页开始翻页。", p=page)
                if page > 1
                else _("暂无已发布的 OCDS 发布记录。")
            )
        links: dict[str, str] = {}
        if has_next:
            links["next"] = url_for(
                ".ReleaseFeed", page=page + 1, per_page=per_page, _external=True
            )
        if page > 1:
            links["prev"] = url_for(
                ".ReleaseFeed", page=page - 1, per_page=per_page, _external=True
            )
        return _json(ocds.package(releases, uri=request.url, links=links))


@blp.route("/ocds/releases/<string:ocid>")
class ReleasesOfProcess(MethodView):
    @blp.response(200, OcdsReleasePackage)
    def get(self, ocid: str) -> Any:
        """Every published release of one contracting process (ocid), oldest first."""
        releases = ocds.releases_for_ocid(ocid)
        if not releases:
            raise NotFound(_("没有该 ocid 的已发布数据：%(o)s", o=ocid[:80]))
        return _json(ocds.package(releases, uri=request.url))


@blp.route("/ocds/records/<string:ocid>")
class RecordOfProcess(MethodView):
    @blp.response(200, OcdsRecordPackage)
    def get(self, ocid: str) -> Any:
        """OCDS 1.1 record package of one contracting process (ocid): its releases and the
        compiled release (merged with ocdsmerge)."""
        body = ocds_records.record_package(ocid, uri=request.url)
        if body is None:
            raise NotFound(_("没有该 ocid 的已发布数据：%(o)s", o=ocid[:80]))
        return _json(body)


@blp.route("/ocds/lots/<int:lot_id>/record")
class RecordOfLot(MethodView):
    @blp.response(200, OcdsRecordPackage)
    def get(self, lot_id: int) -> Any:
        """The OCDS record of the contracting process a lot belongs to (its project's
        ocid), as `/ocds/records/<ocid>` gives it."""
        lot = db.session.get(Lot, lot_id)
        body = (
            ocds_records.record_package(ocds.ocid_for(lot.project), uri=request.url)
            if lot
            else None
        )
        if body is None:
            raise NotFound(_("该标段尚无已发布的 OCDS 数据。"))
        return _json(body)
