"""Open data pages: every statistic for every centre (or one), without a login."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, render_template, request
from sqlalchemy import select

from app.core.auth.models import Centre
from app.core.errors import ValidationError
from app.core.extensions import db
from app.supervision.statistics import report
from app.supervision.statistics.series import cell, to_csv

bp = Blueprint("open_data", __name__, url_prefix="/open-data")


@bp.route("/")
def index() -> Any:
    error = None
    built: list[report.Built] = []
    period = None
    centre_id = None
    try:
        period = report.period_from(request.args)
        centre_id = report.centre_arg(request.args)
        built = report.build(period, centre_id)
    except ValidationError as exc:
        error = str(exc.message)
    return (
        render_template(
            "portal/open_data.html",
            built=built,
            period=period,
            error=error,
            args=request.args,
            centres=list(db.session.execute(select(Centre).order_by(Centre.code)).scalars()),
            centre=db.session.get(Centre, centre_id) if centre_id else None,
            cell=cell,
            csv_endpoint="open_data.csv_export",
            form_endpoint="open_data.index",
        ),
        422 if error else 200,
    )


@bp.route("/<key>.csv")
def csv_export(key: str) -> Any:
    series = report.series_def(key)
    period = report.period_from(request.args)
    rows = series.fetch(period, report.centre_arg(request.args))
    name = f"{key}-{period.start.isoformat()}-{period.end.isoformat()}.csv"
    return Response(
        to_csv(series, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
