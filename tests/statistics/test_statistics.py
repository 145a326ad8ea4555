"""Statistics: each series over crafted lots, per centre and for the province; the period
filter's refusals; CSV, JSON and the public open data."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import Role
from app.core.extensions import db
from app.supervision.ratings.models import RatingTarget, ServiceRating
from app.supervision.statistics import report, svg
from app.supervision.statistics.period import parse_period
from bidding.models import LotStatus
from tests.factories import login, make_user, token_headers

from . import world

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)
PERIOD = {"start": "2026-03-01", "end": "2026-05"}


def utc(*a: int) -> dt.datetime:
    return dt.datetime(*a, tzinfo=dt.UTC)


@pytest.fixture
def w() -> Any:
    clock.set_now(NOW)
    p = world.place(n_suppliers=5, name="甲市公共资源交易中心")
    q = world.place(n_suppliers=0, name="乙市公共资源交易中心")
    s = p.suppliers
    lot1 = world.lot(
        p,
        deadline=utc(2026, 3, 10, 2),
        budget="1000000.00",
        bidders=s[:3],
        doc_start_at=utc(2026, 2, 18, 2),
        report_at=utc(2026, 3, 12, 2),
        publish_by=utc(2026, 3, 14, 2),
        publicity_start=utc(2026, 3, 13, 2),
        awarded_at=utc(2026, 3, 20, 2),
        award_price="900000.00",
        contract_due=utc(2026, 4, 20, 2),
        contract_filed_at=utc(2026, 4, 10, 2),
    )
    # 01:00 CST on 1 April: an April lot, although still 31 March in UTC.
    world.lot(
        p,
        deadline=utc(2026, 3, 31, 17),
        budget="500000.00",
        status=LotStatus.FAILED,
        bidders=s[:1],
    )
    world.lot(
        p,
        deadline=utc(2026, 4, 15, 2),
        budget="2000000.00",
        status=LotStatus.AWARDED,
        bidders=s[:5],
        publish_by=utc(2026, 4, 18, 2),
        publicity_start=utc(2026, 4, 20, 2),
        awarded_at=utc(2026, 4, 25, 2),
        award_price="1500000.00",
        contract_due=utc(2026, 5, 25, 2),
    )
    world.lot(p, deadline=utc(2026, 6, 2, 2), budget="700000.00", bidders=s[:2])  # after
    world.lot(q, deadline=utc(2026, 5, 5, 2), budget="300000.00", status=LotStatus.FAILED)
    for org, level in ((s[0], 5), (s[1], 2)):
        db.session.add(
            ServiceRating(
                lot_id=lot1.id,
                supplier_id=org.id,
                target=RatingTarget.CENTRE,
                centre_id=p.centre.id,
                agency_id=p.agency.id,
                level=level,
                comment="",
                rated_at=utc(2026, 3, 22, 2),
            )
        )
    db.session.commit()
    return p, q


def _get(client: Any, user: Any, series: str, **args: str) -> Any:
    return client.get(
        f"/api/v1/statistics/{series}",
        query_string={**PERIOD, **args},
        headers=token_headers(user),
    )


def test_series_over_crafted_lots(client: Any, w: Any) -> None:
    p, _q = w
    sup = p.supervisor

    def rows(series: str) -> list[dict[str, Any]]:
        resp = _get(client, sup, series)
        assert resp.status_code == 200, resp.get_data(as_text=True)
        return resp.get_json()["rows"]

    assert rows("volume") == [
        {
            "centre": "甲市公共资源交易中心",
            "month": "2026-03",
            "lots": 1,
            "budget": "1000000.00",
            "awarded": "900000.00",
        },
        {
            "centre": "甲市公共资源交易中心",
            "month": "2026-04",
            "lots": 2,
            "budget": "2500000.00",
            "awarded": "1500000.00",
        },
    ]
    assert [(r["month"], r["saved"], r["rate"]) for r in rows("savings")] == [
        ("2026-03", "100000.00", 0.1),
        ("2026-04", "500000.00", 0.25),
    ]
    bids = {r["bids"]: r["lots"] for r in rows("bids")}
    assert bids == {"0": 0, "1": 1, "2": 0, "3": 1, "4–5": 1, "6–9": 0, "10+": 0}
    assert [(r["month"], r["lots"], r["failed"], r["rate"]) for r in rows("failure")] == [
        ("2026-03", 1, 0, 0.0),
        ("2026-04", 2, 1, 0.5),
    ]
    stages = [(r["lots"], r["days"]) for r in rows("stages")]
    # bid period, opening, evaluation, award, contract
    assert stages == [(1, 20.0), (0, None), (2, 1.5), (2, 8.5), (1, 21.0)]
    staff = rows("staff")
    assert [
        (r["publicity"], r["contract"], r["objection"], r["due"], r["rate"]) for r in staff
    ] == [("1/2", "1/2", "0/0", 4, 0.5)]
    assert rows("experts") == []
    centre = rows("ratings_centre")
    assert [(r["count"], r["average"], r["satisfied_rate"], r["bad"]) for r in centre] == [
        (2, 3.5, 0.5, 1)
    ]


def test_scope_supervisor_own_centre_admin_every_centre(client: Any, w: Any) -> None:
    p, q = w
    months = [r["month"] for r in _get(client, q.supervisor, "volume").get_json()["rows"]]
    assert months == ["2026-05"]
    admin = make_user(Role.ADMIN)
    db.session.commit()
    rows = _get(client, admin, "volume").get_json()["rows"]
    assert len(rows) == 3
    one = _get(client, admin, "volume", centre=str(q.centre.id)).get_json()["rows"]
    assert [r["centre"] for r in one] == ["乙市公共资源交易中心"]
    supplier = p.supplier_users[0]
    assert _get(client, supplier, "volume").status_code == 403
    assert _get(client, p.supervisor, "nonsense").status_code == 404


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ({"start": "2026-05-01", "end": "2026-03-01"}, "不能早于开始日期"),
        ({"start": "2020-01", "end": "2026-05"}, "最长 36 个月"),
        ({"start": "2026-02-30", "end": "2026-05"}, "无法识别"),
        ({"start": "yesterday", "end": "2026-05"}, "无法识别"),
        ({"start": "2026-01", "end": "9999-12-31"}, "无法识别"),
        ({"start": "２０２６-01", "end": "2026-05"}, "无法识别"),
    ],
)
def test_impossible_period_is_refused(
    client: Any, w: Any, args: dict[str, str], words: str
) -> None:
    p, _q = w
    resp = _get(client, p.supervisor, "volume", **args)
    assert resp.status_code == 422
    assert words in resp.get_json()["message"]
    login(client, p.supervisor)
    page = client.get("/supervision/statistics/", query_string=args)
    assert page.status_code == 422
    assert words in page.get_data(as_text=True)
    assert client.get("/open-data/", query_string=args).status_code == 422


def test_period_defaults_to_twelve_months() -> None:
    period = parse_period(None, None, dt.date(2026, 6, 15))
    assert (period.start, period.end) == (dt.date(2025, 7, 1), dt.date(2026, 6, 15))
    assert len(period.months()) == 12


def test_page_has_a_chart_a_table_and_a_csv_per_series(client: Any, w: Any) -> None:
    p, _q = w
    login(client, p.supervisor)
    html = client.get("/supervision/statistics/", query_string=PERIOD).get_data(as_text=True)
    for key in report.SERIES_KEYS:
        assert f'data-testid="series-{key}"' in html
        assert f'data-testid="csv-{key}"' in html
    assert html.count('class="stat-chart"') == len(report.SERIES_KEYS)
    assert html.count('role="img"') == 2 * len(report.SERIES_KEYS)  # wide and narrow
    assert "2026-03" in html and "¥" in html or "元" in html
    resp = client.get("/supervision/statistics/savings.csv", query_string=PERIOD)
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(resp.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][0] == "月份" and table[0][-1] == "节支率 (%)"
    assert table[1] == ["2026-03", "1", "1000000.00", "900000.00", "100000.00", "10.00"]


def test_open_data_for_everyone(client: Any, w: Any) -> None:
    resp = client.get("/api/v1/open-data/volume", query_string=PERIOD)
    assert resp.status_code == 200
    assert {r["centre"] for r in resp.get_json()["rows"]} == {
        "甲市公共资源交易中心",
        "乙市公共资源交易中心",
    }
    assert [s["series"] for s in client.get("/api/v1/open-data").get_json()] == list(
        report.SERIES_KEYS
    )
    html = client.get("/open-data/", query_string=PERIOD).get_data(as_text=True)
    assert html.count("<svg") == 2 * len(report.SERIES_KEYS)
    csv_text = client.get("/open-data/failure.csv", query_string=PERIOD).get_data(as_text=True)
    assert "2026-04,2,1,50.00" in csv_text
    # Aggregates only: no person's name or account reaches the open data.
    p, _q = w
    for user in [p.staff, p.supervisor, *p.supplier_users]:
        assert user.display_name not in html and user.username not in html


def test_svg_helpers() -> None:
    assert [svg.axis(v, True) for v in (0, 3, 7, 10, 11, 240)] == [
        (1, 1),
        (3, 1),
        (8, 2),
        (10, 5),
        (15, 5),
        (300, 100),
    ]
    chart = str(svg.bar_chart("标题<x>", ["一", "二"], [1, 3]))
    assert chart.startswith("<svg") and "<title" in chart and "标题&lt;x&gt;" in chart
    assert chart.count("<rect") == 2
    line = str(svg.line_chart("L", ["a", "b", "c"], [("s1", [1, None, 2]), ("s2", [0, 1, 1])]))
    assert line.count("<circle") == 5 and line.count("<polyline") == 2
    assert "—" in str(svg.bar_chart("空", [], []))
    assert Decimal("1.00")  # money stays Decimal in rows (checked through JSON above)


def test_warnings_by_rule_count_answers_and_their_speed(client: Any, w: Any) -> None:
    from app.supervision.models import Level, SupervisionWarning, WarningStatus

    p, q = w

    def warning(centre: Any, rule: str, n: int, **at: dt.datetime) -> None:
        detected = at.pop("detected", utc(2026, 4, 1, 2))
        status = (
            WarningStatus.CLOSED
            if at.get("closed_at")
            else WarningStatus.ANSWERED
            if at.get("answered_at")
            else WarningStatus.SENT
            if at.get("sent_at")
            else WarningStatus.PENDING
        )
        db.session.add(
            SupervisionWarning(
                rule=rule,
                subject=f"lot:{n}",
                centre_id=centre.centre.id,
                level=Level.YELLOW,
                status=status,
                facts={},
                detected_at=detected,
                last_seen_at=detected,
                step_due_at=detected + dt.timedelta(days=1),
                **at,
            )
        )

    sent = utc(2026, 4, 2, 2)
    warning(p, "clock.answers", 1, sent_at=sent, answered_at=sent + dt.timedelta(hours=6))
    warning(
        p,
        "clock.answers",
        2,
        sent_at=sent,
        answered_at=sent + dt.timedelta(hours=18),
        closed_at=sent + dt.timedelta(days=2),
    )
    warning(p, "experts.repeat", 3)
    warning(p, "experts.repeat", 4, detected=utc(2025, 12, 1, 2))  # before the period
    warning(q, "experts.repeat", 5)  # another centre
    db.session.commit()

    resp = _get(client, p.supervisor, "warnings")
    assert resp.status_code == 200, resp.get_data(as_text=True)
    rows = {r["label"]: r for r in resp.get_json()["rows"]}
    assert set(rows) == {"异议质疑答复时限", "专家频繁服务同一单位"}
    answers = rows["异议质疑答复时限"]
    assert (answers["raised"], answers["sent"], answers["answered"], answers["closed"]) == (
        2,
        2,
        2,
        1,
    )
    assert answers["hours"] == 12.0
    repeat = rows["专家频繁服务同一单位"]
    assert (repeat["raised"], repeat["answered"], repeat["hours"]) == (1, 0, None)
