"""Open data (数据开放): the platform's statistics for everyone, as pages, CSV and JSON.

The series are supervision's (`app.supervision.statistics.series`), every one of them an
aggregate over lots, organisations and centres; none names a person.
"""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from app.core.extensions import api

    from . import api as open_data_api
    from . import views

    app.register_blueprint(views.bp)
    api.register_blueprint(open_data_api.blp)
