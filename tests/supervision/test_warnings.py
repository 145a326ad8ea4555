"""A warning's life through the JSON API: sent, answered by the one responsible, read,
closed; refusals audited; escalation past a step's deadline; a correction that suspends
the lot until it is done."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.auth.models import Role
from app.core.extensions import db
from app.supervision import runner, warning_flow
from app.supervision.models import CorrectionStatus, Level, SupervisionWarning, WarningStatus
from app.supervision.rules import get_rule
from bidding.models import Lot, LotStatus
from tests.factories import make_user, token_headers
from tests.supervision.crafted import NOW, World


def _warning(w: World, status: LotStatus = LotStatus.OPENED) -> SupervisionWarning:
    lot = w.lot(status)
    w.bid(lot, ip="10.0.0.7")
    w.bid(lot, ip="10.0.0.7")
    db.session.commit()
    runner.run(rules=[get_rule("collusion.same_ip")])  # type: ignore[list-item]
    db.session.commit()
    return db.session.execute(select(SupervisionWarning)).scalar_one()


def _refusals(command: str) -> int:
    return db.session.execute(
        select(func.count()).where(
            AuditEntry.action == "warning.refused", AuditEntry.data.contains(command)
        )
    ).scalar_one()


def test_supervisor_sends_staff_answers_supervisor_reads_and_closes(client: Any) -> None:
    clock.set_now(NOW)
    w = World()
    warning = _warning(w)
    sup, staff = token_headers(w.supervisor), token_headers(w.staff)
    base = f"/api/v1/supervision/warnings/{warning.id}"

    listed = client.get("/api/v1/supervision/warnings?status=pending", headers=sup).get_json()
    assert [x["id"] for x in listed] == [warning.id]
    assert listed[0]["title"] == "同一 IP 上传投标文件" and "10.0.0.7" in listed[0]["text"]
    # Staff see nothing until a warning is theirs.
    assert client.get("/api/v1/supervision/warnings", headers=staff).get_json() == []

    resp = client.post(
        f"{base}/send", json={"responsible_id": w.staff.id, "message": "请核查"}, headers=sup
    )
    assert resp.status_code == 200, resp.get_json()
    sent = resp.get_json()
    assert sent["status"] == "sent"
    assert dt.datetime.fromisoformat(sent["step_due_at"]) == NOW + dt.timedelta(hours=72)

    resp = client.post(
        f"{base}/answer", json={"text": "两家公司在同一园区办公，已核实。"}, headers=staff
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "answered"
    assert client.post(f"{base}/read", headers=sup).get_json()["status"] == "read"
    closed = client.post(f"{base}/close", json={"note": "情况属实，已记录"}, headers=sup)
    assert closed.status_code == 200 and closed.get_json()["status"] == "closed"

    again = client.post(f"{base}/close", json={"note": "再办结一次"}, headers=sup)
    assert again.status_code == 409
    assert again.get_json()["message"] == "该预警已办结，不能重复办结。"
    assert _refusals("close") == 1
    db.session.expire_all()
    assert db.session.get(SupervisionWarning, warning.id).open_key is None


def test_answering_a_warning_one_is_not_responsible_for_is_refused(client: Any) -> None:
    clock.set_now(NOW)
    w = World()
    warning = _warning(w)
    other = make_user(Role.STAFF, organisation=w.agency)
    db.session.commit()
    warning_flow.send(warning, w.supervisor, w.staff.id, "")
    db.session.commit()
    resp = client.post(
        f"/api/v1/supervision/warnings/{warning.id}/answer",
        json={"text": "不是我的"},
        headers=token_headers(other),
    )
    assert resp.status_code == 403
    assert resp.get_json()["message"] == "您无权查看该预警。"
    assert _refusals("answer") == 1
    db.session.expire_all()
    assert db.session.get(SupervisionWarning, warning.id).status == WarningStatus.SENT
    # A supervisor of another centre may not send or close it either.
    stranger = make_user(Role.SUPERVISOR, centre=World().centre)
    db.session.commit()
    resp = client.post(
        f"/api/v1/supervision/warnings/{warning.id}/close",
        json={"note": "x"},
        headers=token_headers(stranger),
    )
    assert resp.status_code == 403


def test_sending_to_someone_outside_the_agency_and_empty_answers_are_refused(client: Any) -> None:
    clock.set_now(NOW)
    w = World()
    warning = _warning(w)
    outsider = make_user(Role.STAFF)
    db.session.commit()
    sup = token_headers(w.supervisor)
    base = f"/api/v1/supervision/warnings/{warning.id}"
    resp = client.post(f"{base}/send", json={"responsible_id": outsider.id}, headers=sup)
    assert resp.status_code == 422 and "代理机构" in resp.get_json()["message"]
    client.post(f"{base}/send", json={"responsible_id": w.staff.id}, headers=sup)
    resp = client.post(f"{base}/answer", json={"text": "   "}, headers=token_headers(w.staff))
    assert resp.status_code == 422
    # Closing a warning still awaiting its answer is refused too.
    resp = client.post(f"{base}/close", json={"note": "x"}, headers=sup)
    assert resp.status_code == 409


def test_unanswered_warning_escalates_once_per_missed_deadline() -> None:
    clock.set_now(NOW)
    w = World()
    warning = _warning(w)
    provincial = make_user(Role.SUPERVISOR)
    db.session.commit()
    warning_flow.send(warning, w.supervisor, w.staff.id, "")
    db.session.commit()
    clock.set_now(NOW + dt.timedelta(hours=71))
    assert warning_flow.escalate_overdue() == 0
    clock.set_now(NOW + dt.timedelta(hours=73))
    assert warning_flow.escalate_overdue() == 1
    db.session.commit()
    assert warning_flow.escalate_overdue() == 0  # a new deadline, not a second escalation
    db.session.expire_all()
    warning = db.session.get(SupervisionWarning, warning.id)
    assert warning.escalations == 1 and warning.level == Level.RED
    assert warning.step_due_at == NOW + dt.timedelta(hours=73 + 24)
    from app.core.notify import Notification

    told = {
        n.user_id
        for n in db.session.execute(
            select(Notification).where(Notification.kind == "supervision_escalated")
        ).scalars()
    }
    assert {provincial.id, w.supervisor.id, w.staff.id} <= told


def test_correction_suspends_the_lot_until_done(client: Any) -> None:
    clock.set_now(NOW)
    w = World()
    warning = _warning(w, LotStatus.EVALUATING)
    sup = token_headers(w.supervisor)
    base = f"/api/v1/supervision/warnings/{warning.id}"
    resp = client.post(
        f"{base}/correction", json={"note": "核查两家投标人关系后再评标"}, headers=sup
    )
    assert resp.status_code == 200 and resp.get_json()["correction"] == "ordered"
    lot = db.session.get(Lot, warning.lot_id)
    db.session.refresh(lot)
    assert lot.status == LotStatus.SUSPENDED and "纠错" in lot.status_reason
    # It cannot be closed while the correction is under way.
    assert client.post(f"{base}/close", json={"note": "x"}, headers=sup).status_code == 409
    done = client.post(f"{base}/correction/done", headers=sup)
    assert done.status_code == 200
    db.session.refresh(lot)
    assert lot.status == LotStatus.EVALUATING
    db.session.expire_all()
    assert db.session.get(SupervisionWarning, warning.id).correction == CorrectionStatus.DONE
    actions = set(
        db.session.execute(
            select(AuditEntry.action).where(AuditEntry.object_type == "lot")
        ).scalars()
    )
    assert {"lot.suspend", "lot.resume"} <= actions


def test_an_event_on_the_lot_runs_its_rules_within_the_lots_transaction() -> None:
    from bidding import hooks

    clock.set_now(NOW)
    w = World()
    lot = w.lot(LotStatus.PUBLISHED, bid_deadline=NOW + dt.timedelta(days=2))
    w.bid(lot, device="aa" * 32)
    w.bid(lot, device="aa" * 32)
    hooks.lot_event(lot, "bid_submitted")
    db.session.commit()
    rules = set(
        db.session.execute(
            select(SupervisionWarning.rule).where(SupervisionWarning.lot_id == lot.id)
        ).scalars()
    )
    assert rules == {"collusion.same_device"}


def test_bid_rules_run_after_the_bids_commit_once_per_burst(app: Any) -> None:
    from app.supervision import bursts
    from app.supervision.models import RuleRun
    from bidding import hooks

    def lot_runs() -> int:
        return db.session.execute(
            select(func.count())
            .select_from(RuleRun)
            .where(RuleRun.rule == "collusion.same_device", RuleRun.scope == "lot")
        ).scalar_one()

    clock.set_now(NOW)
    app.config["SUPERVISION_BURST_SECONDS"] = 1.0
    try:
        w = World()
        lot = w.lot(LotStatus.PUBLISHED, bid_deadline=NOW + dt.timedelta(days=2))
        lot_id = lot.id
        for _ in range(3):
            w.bid(lot, device="bb" * 32)
            hooks.lot_event(lot, "bid_submitted")
            assert lot_runs() == 0  # nothing runs inside the bid's transaction
            db.session.commit()
        assert bursts.coalescer(app).idle(20)
    finally:
        app.config["SUPERVISION_BURST_SECONDS"] = 0
    db.session.expire_all()
    rules = set(
        db.session.execute(
            select(SupervisionWarning.rule).where(SupervisionWarning.lot_id == lot_id)
        ).scalars()
    )
    assert rules == {"collusion.same_device"}
    assert lot_runs() == 1  # three bids, one run


def test_warning_entries_read_as_words_in_the_audit_browser(app: Any) -> None:
    from app.supervision import audit_text

    with app.test_request_context():
        items = audit_text.data_items(
            '{"rule": "collusion.same_ip", "warning_level": "red", "run_outcome": "timeout", '
            '"command": "close", "was": "evaluating"}'
        )
    text = {i.label: i.value for i in items}
    assert text == {
        "监察规则": "同一 IP 上传投标文件",
        "预警等级": "红色预警",
        "运行结果": "超时被停止",
        "操作": "办结",
        "原状态": "评标中",
    }
