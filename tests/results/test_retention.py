"""Retention: while a lot's archive is retained nothing it refers to can be deleted — the
bid withdrawal (page and API), the scoring-scheme amendment withdrawal (API) and any ORM
deletion of the lot's rows are refused with the archive's reason, and each refused attempt
through a service is audited; after the retention period the hold is gone."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from app.archive import build
from app.archive.retention import retained_until
from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.clock import CST
from app.core.errors import Conflict
from app.core.extensions import db
from bidding import hooks
from bidding.models import Announcement
from bidding.results import award, contracts, publicity
from bidding.results.models import ResultNotice
from tests.factories import csrf_from, login
from tests.results import world as rw
from tests.results.world import ResultWorld


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.UTC)


@pytest.fixture
def w() -> ResultWorld:
    """A contracted lot with its archive built on 10 April 2026 (kept until 2041)."""
    w = rw.build()
    clock.set_now(cst(2026, 4, 1, 10, 0))
    publicity.publish_publicity(w.lot, w.staff)
    clock.set_now(cst(2026, 4, 9, 10, 0))
    award.confirm_award(w.lot, w.staff)
    clock.set_now(cst(2026, 4, 10, 10, 0))
    contracts.file_contract(
        w.lot,
        w.staff,
        number="HT-9",
        lot_code=w.lot.code,
        supplier_id=w.bidders[0].organisation_id,
        price="880000.00",
        signed_on="2026-04-10",
        filename="合同.pdf",
        stream=rw.pdf_file("signed contract"),
    )
    db.session.commit()
    return w


def _refusals() -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "lot.delete_refused").order_by(AuditEntry.seq)
    ).scalars()
    return [json.loads(r.data) for r in rows]


def test_nothing_is_held_before_the_archive(w: ResultWorld) -> None:
    assert hooks.retention_holds(w.lot) == []
    notice = db.session.execute(select(ResultNotice)).scalars().first()
    db.session.delete(notice)
    db.session.flush()  # no archive yet: the guard lets it go
    db.session.rollback()


def test_a_retained_archive_refuses_the_bid_withdrawal_by_api_and_page(
    client: Any, w: ResultWorld
) -> None:
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    assert retained_until(w.lot) == dt.date(2041, 4, 10)
    assert hooks.retention_holds(w.lot) == ["项目档案保存至 2041-04-10"]
    resp = client.post(f"/api/v1/lots/{w.lot.id}/withdraw", headers=w.headers(w.bidders[1]))
    assert resp.status_code == 409
    assert resp.get_json()["message"] == (
        "投标文件已收入项目档案（项目档案保存至 2041-04-10），保存期内不得删除。"
    )
    assert _refusals() == [
        {"what": "bid", "reason": resp.get_json()["message"]},
    ]
    login(client, w.bidders[2])
    token = csrf_from(client, "/workbench")
    resp = client.post(f"/bids/lots/{w.lot.id}/withdraw", data={"csrf_token": token})
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "保存期内不得删除" in page
    assert len(_refusals()) == 2
    entry = (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "lot.delete_refused")
            .order_by(AuditEntry.seq)
        )
        .scalars()
        .first()
    )
    assert entry.actor_id == w.bidders[1].id and entry.object_id == str(w.lot.id)


def test_a_retained_archive_refuses_the_scheme_amendment_withdrawal(
    client: Any, w: ResultWorld
) -> None:
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    resp = client.delete(
        f"/api/v1/lots/{w.lot.id}/scoring-scheme/amendment",
        json={},
        headers=w.headers(w.staff),
    )
    assert resp.status_code == 409 and "保存期内不得删除" in resp.get_json()["message"]
    assert _refusals()[0]["what"] == "scoring_scheme_amendment"


def test_any_deletion_of_a_held_lots_rows_is_refused_at_flush(w: ResultWorld) -> None:
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    ann = (
        db.session.execute(select(Announcement).where(Announcement.lot_id == w.lot.id))
        .scalars()
        .first()
    )
    db.session.delete(ann)
    with pytest.raises(Conflict, match="保存期内不得删除"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Announcement, ann.id) is not None
    db.session.delete(w.lot)
    with pytest.raises(Conflict):
        db.session.flush()
    db.session.rollback()


def test_the_hold_ends_with_the_retention_period(w: ResultWorld, app: Any) -> None:
    app.config["ARCHIVE_RETENTION_YEARS"] = 1
    try:
        build.build_archive(w.lot, w.staff)
        db.session.commit()
        clock.set_now(cst(2027, 4, 10, 23, 0))
        assert hooks.retention_holds(w.lot) != []  # the last day is still kept
        clock.set_now(cst(2027, 4, 11, 0, 1))
        assert hooks.retention_holds(w.lot) == []
        notice = db.session.execute(select(ResultNotice)).scalars().first()
        db.session.delete(notice)
        db.session.flush()
        db.session.rollback()
    finally:
        app.config["ARCHIVE_RETENTION_YEARS"] = 15
