"""Statistics pages for supervisors: every series as a chart, a table and a CSV."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from sqlalchemy import select

from app.core.auth.models import Centre, Role
from app.core.auth.policies import require_role
from app.core.errors import ValidationError
from app.core.extensions import db

from . import report
from .series import cell, to_csv

bp = Blueprint("statistics", __name__, url_prefix="/supervision/statistics")


@bp.before_request
@require_role("supervisor", "admin")
def _only_supervisors() -> None:
    return None


def _centres() -> list[Centre]:
    if current_user.role == Role.ADMIN and current_user.centre_id is None:
        return list(db.session.execute(select(Centre).order_by(Centre.code)).scalars())
    return []


@bp.route("/")
def index() -> Any:
    error = None
    built: list[report.Built] = []
    period = None
    centre_id = None
    try:
        period = report.period_from(request.args)
        centre_id = report.supervised_centre(current_user, request.args)
        built = report.build(period, centre_id)
    except ValidationError as exc:
        error = str(exc.message)
    return (
        render_template(
            "supervision/statistics/index.html",
            built=built,
            period=period,
            error=error,
            args=request.args,
            centres=_centres(),
            centre=db.session.get(Centre, centre_id) if centre_id else None,
            cell=cell,
            csv_endpoint="statistics.csv_export",
            form_endpoint="statistics.index",
        ),
        422 if error else 200,
    )


@bp.route("/<key>.csv")
def csv_export(key: str) -> Any:
    series = report.series_def(key)
    period = report.period_from(request.args)
    centre_id = report.supervised_centre(current_user, request.args)
    rows = series.fetch(period, centre_id)
    name = f"{key}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        to_csv(series, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
