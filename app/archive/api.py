"""JSON API of project archives."""

from __future__ import annotations

from typing import Any

from flask import send_file
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from app.archive import build, policies
from app.archive.models import LotArchive
from app.core.errors import NotFound
from app.core.extensions import db
from bidding.projects import get_lot

blp = Blueprint("archive_api", __name__, url_prefix="/api/v1", description="Project archives")


class ArchiveOut(Schema):
    id = fields.Integer()
    lot_id = fields.Integer()
    sha256 = fields.String()
    size = fields.Integer()
    manifest_sha256 = fields.String()
    files = fields.Integer()
    key_id = fields.String()
    retain_until = fields.Date()
    built_at = fields.DateTime()


@blp.route("/lots/<int:lot_id>/archives")
class ArchivesResource(MethodView):
    @login_required
    @blp.response(200, ArchiveOut(many=True))
    def get(self, lot_id: int) -> Any:
        lot = get_lot(lot_id)
        policies.ensure_can_archive(current_user, lot)
        return build.archives_of(lot)

    @login_required
    @blp.response(201, ArchiveOut)
    def post(self, lot_id: int) -> Any:
        """Build the lot's archive package now (a new package each time)."""
        lot = get_lot(lot_id)
        policies.ensure_can_archive(current_user, lot)
        row = build.build_archive(lot, current_user)
        db.session.commit()
        return row


@blp.route("/archives/<int:archive_id>/package")
class PackageResource(MethodView):
    @login_required
    @blp.response(200, content_type="application/zip")
    def get(self, archive_id: int) -> Any:
        """The ZIP package, streamed from the store."""
        row = db.session.get(LotArchive, archive_id)
        if row is None:
            raise NotFound("archive")
        policies.ensure_can_archive(current_user, get_lot(row.lot_id))
        return send_file(
            build.path_of(row),
            mimetype="application/zip",
            download_name=f"archive-{row.lot_id}-{row.id}.zip",
            as_attachment=True,
        )
