"""JSON API of the statistics: one resource per series key (see GET /api/v1/statistics)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from . import report
from .schemas import SeriesOut, SeriesRefOut, StatisticsArgs
from .series import SERIES, to_json

blp = Blueprint(
    "statistics_api",
    __name__,
    url_prefix="/api/v1/statistics",
    description="Statistics for supervisors (统计分析)",
)


def series_list() -> list[dict[str, str]]:
    return [{"series": s.key, "title": str(s.title), "note": str(s.note)} for s in SERIES]


@blp.route("")
class SeriesListResource(MethodView):
    @login_required
    @blp.response(200, SeriesRefOut(many=True))
    def get(self) -> Any:
        """The series there are."""
        report.supervised_centre(current_user, {})
        return series_list()


@blp.route("/<string:series>")
class SeriesResource(MethodView):
    @login_required
    @blp.arguments(StatisticsArgs, location="query")
    @blp.response(200, SeriesOut)
    def get(self, args: dict[str, Any], series: str) -> Any:
        """One series over a period: the supervisor's centre (a province-wide administrator:
        every centre, or `centre`). An impossible period is answered 422 with the reason."""
        centre_id = report.supervised_centre(current_user, args)
        period = report.period_from(args)
        s = report.series_def(series)
        return to_json(s, s.fetch(period, centre_id), period)
