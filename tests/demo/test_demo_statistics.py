"""The demo world gives the statistics a year of data and every role a ratings to-do."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.auth.models import User
from app.core.extensions import db
from app.core.workbench import items_for
from app.demo import seed
from app.supervision.statistics import report


def test_statistics_have_data_and_ratings_have_to_dos(app: Any) -> None:
    seed()
    db.session.commit()
    period = report.period_from({})
    built = {b.series.key: b for b in report.build(period, None)}
    assert len(built["volume"].rows) >= 20  # two centres over most of the twelve months
    assert sum(r["lots"] for r in built["failure"].rows) >= 100
    assert all(r["days"] for r in built["stages"].rows)
    assert sum(r["confirmed"] for r in built["experts"].rows) >= 100
    assert len(built["staff"].rows) >= 4 and len(built["ratings_agency"].rows) >= 4

    def kinds(username: str) -> list[str]:
        user = db.session.execute(select(User).where(User.username == username)).scalar_one()
        with app.test_request_context():
            return [i.kind for i in items_for(user) if i.kind.startswith("ratings.")]

    assert kinds("supplier01") == ["ratings.rate"]
    assert kinds("wlcb_staff") == ["ratings.answer"]
    assert kinds("wlcb_super") == ["ratings.close"]
