"""Clarifications inside the legal window move the deadline, after the staff confirm it."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.core.notify import Notification, read_mbox
from bidding.documents.models import TenderDocument
from bidding.models import Announcement, AnnouncementKind
from tests.bidding_docs.world import CST, download, make_world, upload
from tests.factories import csrf_from, login, token_headers


def _mails_to(app: Any, address: str) -> list[Any]:
    return [m for m in read_mbox(app.config["MAIL_MBOX_PATH"]) if m["To"] == address]


def test_clarification_less_than_15_days_moves_deadline_only_after_confirmation(
    client: Any, app: Any
) -> None:
    w = make_world(deadline_days=25)
    upload(w)
    downloader = w.supplier()
    bystander = w.supplier()
    download(w, downloader)
    db.session.commit()
    old_deadline = w.lot.bid_deadline
    clock.set_now(old_deadline - dt.timedelta(days=10))  # 10 days left: inside the window
    headers = token_headers(w.staff)
    form = {"title": "关于工期要求的澄清", "body": "工期由 180 日调整为 150 日。"}

    first = client.post(
        f"/api/v1/lots/{w.lot.id}/clarifications",
        data={**form, "file": (io.BytesIO(b"amended documents"), "招标文件-更正.pdf")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert first.status_code == 409
    assert first.json["error"] == "deadline_must_move"
    proposed = dt.datetime.fromisoformat(first.json["proposed_deadline"])
    # Posted on Tuesday 17 March (not counted): the fifteenth day is Wednesday 1 April.
    assert proposed == dt.datetime(2026, 4, 1, 9, 30, tzinfo=CST)
    minimum = dt.datetime.fromisoformat(first.json["minimum_deadline"])
    assert minimum == dt.datetime(2026, 4, 1, 0, 0, tzinfo=CST)
    assert proposed.astimezone(CST).time() == old_deadline.astimezone(CST).time()
    assert proposed.astimezone(CST).weekday() < 5
    db.session.expire_all()
    assert w.lot.bid_deadline == old_deadline
    assert db.session.execute(select(Announcement)).first() is None
    assert db.session.execute(select(TenderDocument.version)).scalars().all() == [1]
    assert db.session.execute(select(Notification)).first() is None

    second = client.post(
        f"/api/v1/lots/{w.lot.id}/clarifications",
        data={
            **form,
            "new_deadline": proposed.isoformat(),
            "file": (io.BytesIO(b"amended documents"), "招标文件-更正.pdf"),
        },
        headers=headers,
        content_type="multipart/form-data",
    )
    assert second.status_code == 201, second.json
    assert second.json["kind"] == "clarification"
    assert second.json["fields"]["deadline_moved"] is True
    db.session.expire_all()
    assert w.lot.bid_deadline == proposed
    ann = db.session.execute(select(Announcement)).scalar_one()
    assert ann.kind == AnnouncementKind.CLARIFICATION and ann.published_at == clock.now()
    latest = (
        db.session.execute(select(TenderDocument).order_by(TenderDocument.version.desc()))
        .scalars()
        .first()
    )
    assert latest.version == 2 and latest.announcement_id == ann.id
    move = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "lot.deadline_move").order_by(AuditEntry.seq)
    ).scalar_one()
    assert old_deadline.isoformat() in move.data and proposed.isoformat() in move.data

    notes = db.session.execute(select(Notification)).scalars().all()
    assert [n.user_id for n in notes] == [downloader.id]
    assert "关于工期要求的澄清" in notes[0].title
    mails = _mails_to(app, downloader.email)
    assert len(mails) == 1
    assert "顺延" in mails[0].get_payload(decode=True).decode()
    assert _mails_to(app, bystander.email) == []


def test_confirmed_deadline_before_the_legal_minimum_is_refused(client: Any) -> None:
    w = make_world(deadline_days=25)
    upload(w)
    db.session.commit()
    old_deadline = w.lot.bid_deadline
    clock.set_now(old_deadline - dt.timedelta(days=10))
    too_early = clock.now() + dt.timedelta(days=14)
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/clarifications",
        data={"title": "澄清", "body": "内容", "new_deadline": too_early.isoformat()},
        headers=token_headers(w.staff),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "不得早于" in resp.json["message"]
    db.session.expire_all()
    assert w.lot.bid_deadline == old_deadline


def test_clarification_15_or_more_days_ahead_keeps_the_deadline(client: Any) -> None:
    w = make_world(deadline_days=25)
    upload(w)
    download(w, w.supplier())
    db.session.commit()
    old_deadline = w.lot.bid_deadline
    plan = client.get(
        f"/api/v1/lots/{w.lot.id}/clarifications/plan", headers=token_headers(w.staff)
    ).json
    assert plan["must_move"] is False
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/clarifications",
        data={"title": "关于资格条件的澄清", "body": "资质等级要求为二级及以上。"},
        headers=token_headers(w.staff),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201
    db.session.expire_all()
    assert w.lot.bid_deadline == old_deadline
    assert db.session.execute(select(Notification)).scalar_one().kind == "lot_documents"


def test_clarification_posted_at_10_keeps_a_09_30_deadline_on_the_15th_day(
    client: Any,
) -> None:
    w = make_world(deadline_days=25)  # deadline Friday 27 March 09:30
    upload(w)
    download(w, w.supplier())
    db.session.commit()
    # 12 March is not counted; 13 … 27 March are fifteen days, although fewer than
    # 15 × 24 hours remain.
    clock.set_now(dt.datetime(2026, 3, 12, 10, 0, tzinfo=CST))
    headers = token_headers(w.staff)
    plan = client.get(f"/api/v1/lots/{w.lot.id}/clarifications/plan", headers=headers).json
    assert plan["must_move"] is False
    clock.set_now(dt.datetime(2026, 3, 13, 0, 0, tzinfo=CST))
    plan = client.get(f"/api/v1/lots/{w.lot.id}/clarifications/plan", headers=headers).json
    assert plan["must_move"] is True
    # Saturday 28 March → Monday 30 March, at the opening's time of day.
    assert dt.datetime.fromisoformat(plan["proposed_deadline"]) == dt.datetime(
        2026, 3, 30, 9, 30, tzinfo=CST
    )


def test_clarification_deadline_moves_past_the_centres_holidays(client: Any) -> None:
    from app.core.auth.models import Holiday

    w = make_world(deadline_days=25)
    upload(w)
    download(w, w.supplier())
    for day in (dt.date(2026, 4, 1), dt.date(2026, 4, 2)):
        db.session.add(Holiday(centre_id=w.centre.id, day=day, name="地方假日"))
    db.session.commit()
    clock.set_now(dt.datetime(2026, 3, 17, 15, 0, tzinfo=CST))  # + 15 days = 1 April
    headers = token_headers(w.staff)
    plan = client.get(f"/api/v1/lots/{w.lot.id}/clarifications/plan", headers=headers).json
    assert plan["must_move"] is True
    assert dt.datetime.fromisoformat(plan["proposed_deadline"]) == dt.datetime(
        2026, 4, 3, 9, 30, tzinfo=CST
    )
    assert dt.datetime.fromisoformat(plan["minimum_deadline"]) == dt.datetime(
        2026, 4, 3, 0, 0, tzinfo=CST
    )
    too_early = client.post(
        f"/api/v1/lots/{w.lot.id}/clarifications",
        data={"title": "更正", "body": "工期调整。", "new_deadline": "2026-04-02T09:30:00+08:00"},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert too_early.status_code == 422
    assert "2026-04-03" in too_early.json["message"]


def test_clarification_page_shows_a_confirmation_screen_before_moving_the_deadline(
    client: Any,
) -> None:
    w = make_world(deadline_days=25)
    upload(w)
    download(w, w.supplier())
    db.session.commit()
    old_deadline = w.lot.bid_deadline
    clock.set_now(old_deadline - dt.timedelta(days=5))
    login(client, w.staff)
    path = f"/staff/lots/{w.lot.id}/clarifications"
    token = csrf_from(client, path)
    resp = client.post(
        path,
        data={
            "csrf_token": token,
            "title": "关于图纸的更正",
            "body": "更正第三章图纸。",
            "file": (io.BytesIO(b"drawings v2"), "图纸.zip"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 409
    html = resp.get_data(as_text=True)
    assert 'data-testid="confirm-deadline"' in html
    proposed_text = re.search(r'data-testid="proposed-deadline">([^<]+)<', html).group(1)
    staged = re.search(r'name="staged" value="([^"]+)"', html).group(1)
    db.session.expire_all()
    assert w.lot.bid_deadline == old_deadline

    resp = client.post(
        path,
        data={
            "csrf_token": token,
            "title": "关于图纸的更正",
            "body": "更正第三章图纸。",
            "staged": staged,
            "new_deadline": proposed_text,
        },
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert w.lot.bid_deadline == clock.parse_cst(proposed_text)
    versions = db.session.execute(select(TenderDocument.filename)).scalars().all()
    assert "图纸.zip" in versions


def test_forged_staged_file_token_is_refused(client: Any) -> None:
    w = make_world(deadline_days=25)
    upload(w)
    db.session.commit()
    login(client, w.staff)
    path = f"/staff/lots/{w.lot.id}/clarifications"
    token = csrf_from(client, path)
    resp = client.post(
        path,
        data={"csrf_token": token, "title": "t", "body": "b", "staged": "forged.token"},
    )
    assert resp.status_code == 422
    assert "凭据无效" in resp.get_data(as_text=True)
