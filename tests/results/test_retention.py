"""Retention: while a lot's archive is retained nothing it refers to can be deleted — the
bid withdrawal (page and API), the scoring-scheme amendment withdrawal (API) and any ORM
deletion of the lot's rows, one object at a time or a bulk DELETE, are refused with the
archive's reason, and each refused attempt is audited; after the retention period the hold
is gone."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import bindparam, delete, func, select

from app.archive import build
from app.archive.retention import retained_until
from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.clock import CST
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.search import SearchTerm
from bidding import hooks
from bidding.bids.models import Opening, OpeningObjection, OpeningStatus
from bidding.models import Announcement, Lot, Project
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


def _shell_answer(app: Any, exc: Conflict) -> Any:
    """What the platform's own error handler answers (and audits) for a refusal."""
    with app.test_request_context("/api/v1/anything", headers={"Accept": "application/json"}):
        return app.make_response(app.handle_user_exception(exc))


def test_a_bulk_delete_of_a_held_lots_rows_is_refused_and_audited(app: Any, w: ResultWorld) -> None:
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    lot_id = w.lot.id
    before = db.session.execute(
        select(func.count()).select_from(Announcement).where(Announcement.lot_id == lot_id)
    ).scalar_one()
    assert before > 0
    with pytest.raises(Conflict, match="这些记录已收入项目档案.*保存期内不得删除") as caught:
        db.session.execute(delete(Announcement).where(Announcement.lot_id == lot_id))
    db.session.rollback()
    assert (
        db.session.execute(
            select(func.count()).select_from(Announcement).where(Announcement.lot_id == lot_id)
        ).scalar_one()
        == before
    )
    resp = _shell_answer(app, caught.value)
    assert resp.status_code == 409
    assert resp.get_json()["message"] == (
        "这些记录已收入项目档案（项目档案保存至 2041-04-10），保存期内不得删除。"
    )
    refused = (
        db.session.execute(
            select(AuditEntry)
            .where(AuditEntry.action == "lot.delete_refused")
            .order_by(AuditEntry.seq)
        )
        .scalars()
        .all()
    )
    assert [(e.object_type, e.object_id) for e in refused] == [("lot", str(lot_id))]
    assert json.loads(refused[0].data)["what"] == "announcement"


def test_every_bulk_delete_shape_that_reaches_a_held_lot_is_refused(w: ResultWorld) -> None:
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    lot_id = w.lot.id
    held = [
        delete(ResultNotice),  # no WHERE: every row, this lot's among them
        delete(Lot).where(Lot.id == lot_id),
        Announcement.__table__.delete().where(Announcement.__table__.c.lot_id == lot_id),
        # Reaching the lot through a join in the WHERE clause.
        delete(ResultNotice).where(ResultNotice.lot_id == Lot.id, Lot.code == w.lot.code),
    ]
    for stmt in held:
        with pytest.raises(Conflict, match="保存期内不得删除"):
            db.session.execute(stmt)
        db.session.rollback()
    assert db.session.get(Lot, lot_id) is not None
    assert db.session.execute(select(func.count()).select_from(ResultNotice)).scalar_one() > 0


def test_bulk_deletes_that_miss_held_lots_go_through(w: ResultWorld) -> None:
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    gone = db.session.execute(delete(Announcement).where(Announcement.lot_id == -1))
    assert gone.rowcount == 0
    db.session.execute(delete(SearchTerm))  # no lot column: not the guard's concern
    db.session.rollback()


def test_before_the_archive_a_bulk_delete_goes_through(w: ResultWorld) -> None:
    gone = db.session.execute(delete(ResultNotice).where(ResultNotice.lot_id == w.lot.id))
    assert gone.rowcount > 0
    db.session.rollback()


def test_rows_one_link_away_and_the_projects_own_rows_are_held_too(w: ResultWorld) -> None:
    """An objection raised at the lot's opening (no lot column: it hangs off the opening), a
    notice of the whole project, and the project itself are in the archive: kept alike."""
    opening = Opening(lot_id=w.lot.id, status=OpeningStatus.PUBLISHED, started_at=clock.now())
    db.session.add(opening)
    db.session.flush()
    raised = OpeningObjection(
        opening_id=opening.id,
        supplier_id=w.bidders[0].organisation_id,
        user_id=w.bidders[0].id,
        text="唱标价格有误",
        raised_at=clock.now(),
    )
    lot_notice = (
        db.session.execute(select(Announcement).where(Announcement.lot_id == w.lot.id))
        .scalars()
        .first()
    )
    whole = Announcement(
        project_id=w.lot.project_id,
        lot_id=None,
        kind=lot_notice.kind,
        title="全项目澄清公告",
        centre_id=lot_notice.centre_id,
        method=lot_notice.method,
        category_code=lot_notice.category_code,
        created_by_id=lot_notice.created_by_id,
        created_at=clock.now(),
    )
    db.session.add_all([raised, whole])
    db.session.commit()
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    for obj in (raised, whole, w.lot.project):
        db.session.delete(obj)
        with pytest.raises(Conflict, match="保存期内不得删除") as caught:
            db.session.flush()
        assert caught.value.refusal_audit is not None
        assert caught.value.refusal_audit[1].id == w.lot.id
        db.session.rollback()
    for stmt in (
        delete(OpeningObjection).where(OpeningObjection.id == raised.id),
        delete(Announcement).where(Announcement.lot_id.is_(None)),
        delete(Project).where(Project.id == w.lot.project_id),
    ):
        with pytest.raises(Conflict, match="保存期内不得删除"):
            db.session.execute(stmt)
        db.session.rollback()
    assert db.session.get(OpeningObjection, raised.id) is not None
    assert db.session.get(Announcement, whole.id) is not None


def test_a_bulk_delete_with_bound_parameters_is_judged_on_its_own_values(
    w: ResultWorld,
) -> None:
    build.build_archive(w.lot, w.staff)
    db.session.commit()
    stmt = delete(ResultNotice).where(ResultNotice.lot_id == bindparam("lot"))
    with pytest.raises(Conflict, match="保存期内不得删除"):
        db.session.execute(stmt, {"lot": w.lot.id})
    db.session.rollback()
    assert db.session.execute(stmt, {"lot": -1}).rowcount == 0
    db.session.rollback()
