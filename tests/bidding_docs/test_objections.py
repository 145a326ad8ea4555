"""Objections (异议) to the documents: the last day, suspension and resumption."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.core.notify import Notification
from bidding.documents.models import Objection
from bidding.models import LotStatus
from tests.bidding_docs.world import download, make_world, upload
from tests.factories import csrf_from, login, token_headers


def _file(client: Any, w: Any, supplier: Any) -> Any:
    return client.post(
        f"/api/v1/lots/{w.lot.id}/objections",
        json={"text": "资格条件排斥潜在投标人。"},
        headers=token_headers(supplier),
    )


def test_objection_after_the_last_day_is_refused_naming_that_day(client: Any) -> None:
    w = make_world()  # deadline Friday 27 March 09:30: the last day is 17 March
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    db.session.commit()
    clock.set_now(dt.datetime(2026, 3, 18, 0, 0, tzinfo=clock.CST))
    resp = _file(client, w, supplier)
    assert resp.status_code == 409
    assert "2026-03-17 24:00" in resp.json["message"]
    assert db.session.execute(select(Objection)).first() is None
    db.session.expire_all()
    assert w.lot.status == LotStatus.PUBLISHED


def test_objection_on_the_tenth_day_before_the_deadline_is_accepted_all_day(
    client: Any,
) -> None:
    # 10:00 on 17 March is less than 10 × 24 hours before the opening at 09:30 on the 27th,
    # but the ten days 18 … 27 March are still to come: in time (民法典 第二百零一条).
    w = make_world()
    upload(w)
    first, second = w.supplier(), w.supplier()
    download(w, first)
    download(w, second)
    db.session.commit()
    clock.set_now(dt.datetime(2026, 3, 17, 10, 0, tzinfo=clock.CST))
    assert _file(client, w, first).status_code == 201
    clock.set_now(dt.datetime(2026, 3, 17, 23, 59, 59, tzinfo=clock.CST))
    assert _file(client, w, second).status_code == 201


def test_answer_due_at_24_00_of_the_third_day_moves_past_a_weekend_and_holiday(
    client: Any,
) -> None:
    from app.core.auth.models import Holiday

    w = make_world()
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    db.session.add(Holiday(centre_id=w.centre.id, day=dt.date(2026, 3, 9), name="地方假日"))
    db.session.commit()
    # Filed Thursday 5 March: the third day is Sunday 8 March, Monday 9 March is the
    # centre's holiday, so the answer is due by the end of Tuesday 10 March.
    clock.set_now(dt.datetime(2026, 3, 5, 16, 0, tzinfo=clock.CST))
    login(client, supplier)
    resp = client.post(
        f"/supplier/lots/{w.lot.id}/objections",
        data={
            "text": "业绩要求过高。",
            "csrf_token": csrf_from(client, f"/supplier/lots/{w.lot.id}"),
        },
        follow_redirects=True,
    )
    assert resp.status_code == 200
    assert "2026-03-10 24:00" in resp.get_data(as_text=True)
    obj = db.session.execute(select(Objection)).scalar_one()
    assert obj.answer_due_at == dt.datetime(2026, 3, 11, 0, 0, tzinfo=clock.CST)


def test_centre_setting_lengthens_the_objection_clocks(client: Any) -> None:
    w = make_world()
    w.centre.settings = {"objection_last_days_before_deadline": 12, "objection_answer_days": 5}
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    db.session.commit()
    clock.set_now(dt.datetime(2026, 3, 16, 9, 0, tzinfo=clock.CST))  # 11 days before
    resp = _file(client, w, supplier)
    assert resp.status_code == 409
    assert "12 日前" in resp.json["message"] and "2026-03-15 24:00" in resp.json["message"]
    clock.set_now(dt.datetime(2026, 3, 13, 9, 0, tzinfo=clock.CST))  # Friday
    resp = _file(client, w, supplier)
    assert resp.status_code == 201
    # Five days after Friday 13 March is Wednesday 18 March.
    due = dt.datetime.fromisoformat(resp.json["answer_due_at"])
    assert due == dt.datetime(2026, 3, 19, 0, 0, tzinfo=clock.CST)


def test_objection_suspends_the_lot_and_the_answer_resumes_it(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    db.session.commit()
    filed = client.post(
        f"/api/v1/lots/{w.lot.id}/objections",
        json={"text": "业绩要求过高，排斥中小企业。"},
        headers=token_headers(supplier),
    )
    assert filed.status_code == 201
    # Filed Monday 2 March: due by 24:00 of Thursday 5 March.
    due = dt.datetime.fromisoformat(filed.json["answer_due_at"])
    assert due == dt.datetime(2026, 3, 6, 0, 0, tzinfo=clock.CST)
    db.session.expire_all()
    assert w.lot.status == LotStatus.SUSPENDED
    assert "异议" in w.lot.status_reason

    staff_list = client.get(f"/api/v1/lots/{w.lot.id}/objections", headers=token_headers(w.staff))
    assert (
        staff_list.json[0]["supplier_name"] is None
    )  # the objector stays hidden until the deadline
    assert staff_list.json[0]["answer_due_at"] == filed.json["answer_due_at"]

    clock.advance(dt.timedelta(days=1))
    answered = client.post(
        f"/api/v1/objections/{filed.json['id']}/answer",
        json={"answer": "业绩要求已按规定设置，维持原文件。"},
        headers=token_headers(w.staff),
    )
    assert answered.status_code == 200
    assert answered.json["status"] == "answered"
    db.session.expire_all()
    assert w.lot.status == LotStatus.PUBLISHED and w.lot.status_reason == ""
    actions = [
        a
        for a in db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars()
        if a.startswith(("lot.", "objection."))
    ]
    assert actions == ["lot.suspend", "objection.file", "objection.answer", "lot.resume"]
    to_objector = db.session.execute(
        select(Notification).where(Notification.user_id == supplier.id)
    ).scalar_one()
    assert to_objector.kind == "objection_answered"


def test_lot_stays_suspended_while_another_objection_is_pending(client: Any) -> None:
    w = make_world()
    upload(w)
    first, second = w.supplier(), w.supplier()
    download(w, first)
    download(w, second)
    db.session.commit()
    ids = [
        client.post(
            f"/api/v1/lots/{w.lot.id}/objections", json={"text": t}, headers=token_headers(u)
        ).json["id"]
        for u, t in ((first, "异议一"), (second, "异议二"))
    ]
    client.post(
        f"/api/v1/objections/{ids[0]}/answer",
        json={"answer": "答复一"},
        headers=token_headers(w.staff),
    )
    db.session.expire_all()
    assert w.lot.status == LotStatus.SUSPENDED
    client.post(
        f"/api/v1/objections/{ids[1]}/answer",
        json={"answer": "答复二"},
        headers=token_headers(w.staff),
    )
    db.session.expire_all()
    assert w.lot.status == LotStatus.PUBLISHED


def test_objection_through_the_supplier_page_and_answer_through_the_staff_page(
    client: Any,
) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    db.session.commit()
    login(client, supplier)
    page = client.get(f"/supplier/lots/{w.lot.id}").get_data(as_text=True)
    assert "提交异议" in page
    token = csrf_from(client, "/supplier/lots")
    resp = client.post(
        f"/supplier/lots/{w.lot.id}/objections",
        data={"csrf_token": token, "text": "评分标准不明确。"},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert w.lot.status == LotStatus.SUSPENDED
    client.post("/logout", data={"csrf_token": token})

    login(client, w.staff)
    page = client.get(f"/staff/lots/{w.lot.id}/objections").get_data(as_text=True)
    assert "评分标准不明确。" in page and "答复期限" in page
    oid = db.session.execute(select(Objection.id)).scalar_one()
    token = csrf_from(client, f"/staff/lots/{w.lot.id}/objections")
    resp = client.post(
        f"/staff/objections/{oid}/answer", data={"csrf_token": token, "answer": "已明确。"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert w.lot.status == LotStatus.PUBLISHED


def test_objection_form_refusal_is_shown_on_the_page(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    db.session.commit()
    clock.set_now(w.lot.bid_deadline - dt.timedelta(days=2))
    login(client, supplier)
    token = csrf_from(client, f"/supplier/lots/{w.lot.id}")
    resp = client.post(
        f"/supplier/lots/{w.lot.id}/objections", data={"csrf_token": token, "text": "晚了的异议"}
    )
    assert resp.status_code == 409
    assert "最后期限" in resp.get_data(as_text=True)
