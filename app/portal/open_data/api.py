"""Open data JSON: the statistics series for everyone (no login, no personal data)."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from app.supervision.statistics import report
from app.supervision.statistics.api import series_list
from app.supervision.statistics.schemas import SeriesOut, SeriesRefOut, StatisticsArgs
from app.supervision.statistics.series import to_json

blp = Blueprint(
    "open_data_api",
    __name__,
    url_prefix="/api/v1/open-data",
    description="Open data: public statistics (数据开放)",
)


@blp.route("")
class OpenSeriesListResource(MethodView):
    @blp.response(200, SeriesRefOut(many=True))
    def get(self) -> Any:
        """The published series."""
        return series_list()


@blp.route("/<string:series>")
class OpenSeriesResource(MethodView):
    @blp.arguments(StatisticsArgs, location="query")
    @blp.response(200, SeriesOut)
    def get(self, args: dict[str, Any], series: str) -> Any:
        """One series over a period, every centre or `centre`; an impossible period is
        answered 422 with the reason."""
        period = report.period_from(args)
        s = report.series_def(series)
        return to_json(s, s.fetch(period, report.centre_arg(args)), period)
