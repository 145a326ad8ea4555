"""Each rule on crafted data: what lights it, what leaves it dark; the runner's guarantees
(one open warning per rule and subject, a failing or slow rule reported and never
stopping the others)."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.supervision import runner
from app.supervision.models import Level, RuleRun, SupervisionWarning, WarningStatus
from app.supervision.rules import (
    RULE_FAILED,
    Finding,
    Rule,
    get_rule,
    register_rule,
    unregister_rule,
)
from app.supervision.rules.price_pattern import pattern
from bidding.models import LotStatus
from bidding.results.models import LotResult
from tests.supervision.crafted import NOW, World


def _run(*names: str, lot_ids: list[int] | None = None) -> runner.RunReport:
    rules = [get_rule(n) for n in names]
    assert all(rules), names
    report = runner.run(rules=rules, lot_ids=lot_ids)  # type: ignore[arg-type]
    db.session.commit()
    return report


def _open(rule: str) -> list[SupervisionWarning]:
    return list(
        db.session.execute(
            select(SupervisionWarning)
            .where(SupervisionWarning.rule == rule, SupervisionWarning.open_key.is_not(None))
            .order_by(SupervisionWarning.id)
        ).scalars()
    )


def test_same_ip_and_device_light_only_the_shared_lot() -> None:
    clock.set_now(NOW)
    w = World()
    shared, honest = w.lot(), w.lot()
    w.bid(shared, ip="10.0.0.7", device="ab" * 32)
    w.bid(shared, ip="10.0.0.7", device="ab" * 32)
    w.bid(shared, ip="10.0.0.9", device="cd" * 32)
    for i in range(3):
        w.bid(honest, ip=f"10.1.0.{i}", device=f"{i}" * 64)
    db.session.commit()
    _run("collusion.same_ip", "collusion.same_device")
    (ip,) = _open("collusion.same_ip")
    (device,) = _open("collusion.same_device")
    assert ip.lot_id == shared.id and ip.level == Level.RED
    assert ip.facts["ip"] == "10.0.0.7" and len(ip.facts["suppliers"]) == 2
    assert device.lot_id == shared.id and ip.centre_id == w.centre.id
    assert ip.status == WarningStatus.PENDING


def test_a_rule_finding_the_same_thing_again_keeps_one_open_warning() -> None:
    clock.set_now(NOW)
    w = World()
    lot = w.lot()
    w.bid(lot, ip="1.2.3.4")
    w.bid(lot, ip="1.2.3.4")
    db.session.commit()
    first = _run("collusion.same_ip")
    again = _run("collusion.same_ip", lot_ids=[lot.id])
    assert first.raised == 1 and again.raised == 0 and again.found == 1
    assert len(_open("collusion.same_ip")) == 1
    raised = db.session.execute(
        select(func.count()).where(AuditEntry.action == "warning.raised")
    ).scalar_one()
    assert raised == 1


def test_prices_in_progression_or_a_tiny_band() -> None:
    d = Decimal
    assert pattern([d("100000"), d("103000"), d("106000")]) == "arithmetic"
    assert pattern([d("100000"), d("110000"), d("121000")]) == "geometric"
    assert pattern([d("500000"), d("501000"), d("502400")]) == "band"
    assert pattern([d("480000"), d("512300"), d("566000")]) == ""
    assert pattern([d("100000"), d("103000")]) == ""  # two prices make no pattern
    clock.set_now(NOW)
    w = World()
    arranged, honest = w.lot(), w.lot()
    for p in ("880000.00", "900000.00", "920000.00"):
        w.bid(arranged, price=p)
    for p in ("870000.00", "915500.00", "951000.00"):
        w.bid(honest, price=p)
    db.session.commit()
    _run("collusion.price_pattern")
    (found,) = _open("collusion.price_pattern")
    assert found.lot_id == arranged.id and found.facts["pattern"] == "arithmetic"
    assert found.level == Level.RED


def test_identical_files_and_same_author_after_opening() -> None:
    clock.set_now(NOW)
    w = World()
    lot = w.lot()
    same = "ee" * 32
    w.bid(lot, price="1", files=[{"name": "技术标.pdf", "sha256_actual": same, "author": "张三"}])
    w.bid(lot, price="2", files=[{"name": "技术.pdf", "sha256_actual": same, "author": "张三"}])
    w.bid(lot, price="9", files=[{"name": "a.pdf", "sha256_actual": "ff" * 32, "author": "李四"}])
    db.session.commit()
    _run("collusion.same_files", "collusion.same_author")
    (files,) = _open("collusion.same_files")
    (author,) = _open("collusion.same_author")
    assert files.facts["sha256"] == same and len(files.facts["suppliers"]) == 2
    assert author.facts["author"] == "张三"


def test_same_contact_phone_and_clustered_uploads() -> None:
    clock.set_now(NOW)
    w = World()
    lot, spread = w.lot(), w.lot()
    a = w.supplier(contact_phone="0474-8123456")
    b = w.supplier(contact_phone="0474 8123456")
    at = NOW - dt.timedelta(days=1, hours=3)
    w.bid(lot, a, at=at)
    w.bid(lot, b, at=at + dt.timedelta(minutes=2))
    w.bid(lot, at=at + dt.timedelta(minutes=4))
    for hours in (1, 5, 9):
        w.bid(spread, at=at - dt.timedelta(hours=hours))
    db.session.commit()
    _run("collusion.same_contact", "collusion.upload_cluster")
    (contact,) = _open("collusion.same_contact")
    (cluster,) = _open("collusion.upload_cluster")
    assert contact.facts["value"] == "04748123456" and contact.lot_id == lot.id
    assert cluster.lot_id == lot.id and len(cluster.facts["suppliers"]) == 3


def test_fewer_than_three_bids_frozen_at_the_deadline() -> None:
    from bidding.bids.models import LotFreeze

    clock.set_now(NOW)
    w = World()
    thin, full = w.lot(LotStatus.FAILED), w.lot(LotStatus.OPENED)
    w.lot(LotStatus.PUBLISHED, bid_deadline=NOW + dt.timedelta(days=3))  # nothing frozen yet
    for lot, n in ((thin, 2), (full, 3)):
        db.session.add(
            LotFreeze(
                lot_id=lot.id,
                frozen_at=NOW,
                entries=[],
                list_hash="0" * 64,
                bid_count=n,
                failed=n < 3,
                audit_seq=0,
            )
        )
    db.session.commit()
    _run("competition.few_bids")
    (few,) = _open("competition.few_bids")
    assert few.lot_id == thin.id and few.facts["bids"] == 2


def test_contract_clock_yellow_within_a_day_red_when_missed() -> None:
    clock.set_now(NOW)
    w = World()
    soon, missed, later = (w.lot(LotStatus.AWARDED) for _ in range(3))
    for lot, due in (
        (soon, NOW + dt.timedelta(hours=20)),
        (missed, NOW - dt.timedelta(hours=1)),
        (later, NOW + dt.timedelta(days=10)),
    ):
        db.session.add(
            LotResult(
                lot_id=lot.id,
                source="test",
                report_sha256="0" * 64,
                report_at=NOW - dt.timedelta(days=40),
                publish_by=NOW - dt.timedelta(days=38),
                contract_due=due,
                created_at=NOW - dt.timedelta(days=40),
            )
        )
    db.session.commit()
    _run("clock.contract")
    levels = {x.lot_id: x.level for x in _open("clock.contract")}
    assert levels == {soon.id: Level.YELLOW, missed.id: Level.RED}
    # A day later the yellow one is missed too: the same warning turns red.
    clock.set_now(NOW + dt.timedelta(days=1))
    runner.run(rules=[get_rule("clock.contract")])  # type: ignore[list-item]
    db.session.commit()
    assert {x.lot_id: x.level for x in _open("clock.contract")}[soon.id] == Level.RED
    assert len(_open("clock.contract")) == 2


def test_refused_reads_of_sealed_records_are_a_signal(client: Any) -> None:
    from tests.factories import login, token_headers

    clock.set_now(NOW)
    w = World()
    lot = w.lot(LotStatus.PUBLISHED, bid_deadline=NOW + dt.timedelta(days=5))
    db.session.commit()
    login(client, w.staff)
    headers = token_headers(w.staff)
    for _ in range(2):
        resp = client.get(f"/api/v1/lots/{lot.id}/bonds", headers=headers)
        assert resp.status_code == 403
    _run("integrity.sealed_reads")
    (found,) = _open("integrity.sealed_reads")
    assert found.lot_id == lot.id and found.facts["times"] == 2
    assert found.facts["person"] == "代理员小王"


def test_a_rule_that_raises_is_reported_and_the_others_still_run() -> None:
    clock.set_now(NOW)
    w = World()
    lot = w.lot()
    w.bid(lot, ip="9.9.9.9")
    w.bid(lot, ip="9.9.9.9")
    db.session.commit()

    def broken(scope: Any) -> list[Finding]:
        raise ZeroDivisionError("odd data")

    register_rule(Rule("test.broken", "broken", "integrity", broken))
    try:
        report = runner.run(
            rules=[get_rule("test.broken"), get_rule("collusion.same_ip")]  # type: ignore[list-item]
        )
        db.session.commit()
    finally:
        unregister_rule("test.broken")
    assert report.failed == ["test.broken"] and report.ran == 2
    assert len(_open("collusion.same_ip")) == 1
    (failure,) = _open(RULE_FAILED)
    assert failure.subject == "test.broken" and failure.facts["outcome"] == "error"
    run = db.session.execute(select(RuleRun).where(RuleRun.rule == "test.broken")).scalar_one()
    assert run.outcome == "error" and "ZeroDivisionError" in run.message


def test_a_rule_over_ten_times_its_usual_time_is_stopped(app: Any) -> None:
    clock.set_now(NOW)
    World().lot()
    db.session.commit()
    calls = {"n": 0}

    def slow_sql(scope: Any) -> list[Finding]:
        calls["n"] += 1
        if calls["n"] <= 3:
            return []  # its usual runs: instant
        # A pathological statement (a huge recursive count) the database must interrupt.
        db.session.connection().exec_driver_sql(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
            "SELECT count(*) FROM (SELECT x FROM c LIMIT 500000000) AS t"
        ).scalar()
        return [Finding("never", None, Level.RED)]

    register_rule(Rule("test.slow", "slow", "integrity", slow_sql))
    app.config["SUPERVISION_RULE_MIN_SECONDS"] = 0.3
    try:
        for _ in range(3):
            runner.run(rules=[get_rule("test.slow")])  # type: ignore[list-item]
        started = time.monotonic()
        rules = [get_rule("test.slow"), get_rule("competition.few_bids")]
        report = runner.run(rules=rules)  # type: ignore[arg-type]
        elapsed = time.monotonic() - started
        db.session.commit()
    finally:
        unregister_rule("test.slow")
        app.config["SUPERVISION_RULE_MIN_SECONDS"] = 5.0
    assert report.stopped == ["test.slow"] and report.ran == 2
    assert elapsed < 5
    (failure,) = _open(RULE_FAILED)
    assert failure.facts["outcome"] == "timeout"
    assert not _open("test.slow")


def _scored(w: World, experts: list[Any], suppliers: list[Any], totals: list[list[str]]) -> Any:
    """A lot evaluated by `experts` (users): totals[i][j] is expert i's score of bidder j."""
    from app.core.auth.models import Role
    from remote_eval.models import EvalMember, EvalSession, MemberKind, Phase, Score

    lot = w.lot(LotStatus.EVALUATED)
    bids = [w.bid(lot, s, price=str(800000 + 1000 * j)) for j, s in enumerate(suppliers)]
    session = EvalSession(
        lot_id=lot.id,
        phase=Phase.DONE,
        cycle=1,
        phase_started_at=NOW,
        host_id=w.staff.id,
        main_centre_id=w.centre.id,
        method="comprehensive",
        scheme={},
        created_at=NOW,
    )
    db.session.add(session)
    db.session.flush()
    for i, user in enumerate(experts):
        assert user.role == Role.EXPERT
        member = EvalMember(
            session_id=session.id,
            kind=MemberKind.EXPERT,
            user_id=user.id,
            venue_centre_id=w.centre.id,
        )
        db.session.add(member)
        db.session.flush()
        for j, bid in enumerate(bids):
            db.session.add(
                Score(
                    session_id=session.id,
                    cycle=1,
                    member_id=member.id,
                    bid_id=bid.id,
                    item_id="T1",
                    value=Decimal(totals[i][j]),
                    at=NOW,
                )
            )
    db.session.flush()
    return lot


def test_scoring_a_member_far_from_the_panel_and_one_leaning_to_a_bidder() -> None:
    from app.core.auth.models import Role
    from tests.factories import make_user

    clock.set_now(NOW)
    w = World()
    experts = [make_user(Role.EXPERT, display_name=f"专家{i}") for i in range(5)]
    favoured, other = w.supplier(), w.supplier()
    panel = [["80", "70"], ["81", "71"], ["79", "69"], ["80", "70"]]
    # Lot 1: the fifth member 30 points under the panel on the other bidder, 6 over on the
    # favoured one.
    first = _scored(w, experts, [favoured, other], [*panel, ["86", "40"]])
    # Lots 2 and 3: the fifth member 8 points over the panel for the favoured bidder.
    _scored(w, experts, [favoured, other], [*panel, ["88", "70"]])
    _scored(w, experts, [favoured, w.supplier()], [*panel, ["89", "71"]])
    db.session.commit()
    _run("scoring.outlier", "scoring.bias")
    (outlier,) = _open("scoring.outlier")
    assert outlier.lot_id == first.id and outlier.facts["member"] == "专家4"
    assert outlier.facts["gap"] == "30.0"
    (bias,) = _open("scoring.bias")
    assert bias.facts["direction"] == "high" and bias.facts["lots"] == 3
    assert bias.facts["supplier"] == favoured[0].name


def test_a_closed_finding_is_raised_again_only_when_it_grows_worse() -> None:
    from app.supervision import warning_flow

    clock.set_now(NOW)
    w = World()
    lot = w.lot(LotStatus.AWARDED)
    db.session.add(
        LotResult(
            lot_id=lot.id,
            source="test",
            report_sha256="0" * 64,
            report_at=NOW - dt.timedelta(days=40),
            publish_by=NOW - dt.timedelta(days=38),
            contract_due=NOW + dt.timedelta(hours=12),
            created_at=NOW - dt.timedelta(days=40),
        )
    )
    db.session.commit()
    _run("clock.contract")
    (near,) = _open("clock.contract")
    warning_flow.close(near, w.supervisor, "已提醒代理机构")
    db.session.commit()
    _run("clock.contract")
    assert _open("clock.contract") == []  # the same yellow finding stays closed
    clock.set_now(NOW + dt.timedelta(days=1))
    _run("clock.contract")
    (missed,) = _open("clock.contract")
    assert missed.level == Level.RED and missed.id != near.id


def test_a_filed_contract_ends_the_contract_clock() -> None:
    from bidding.results.models import Contract

    clock.set_now(NOW)
    w = World()
    lot = w.lot(LotStatus.AWARDED)
    org, _user = w.supplier()
    db.session.add(
        LotResult(
            lot_id=lot.id,
            source="test",
            report_sha256="0" * 64,
            report_at=NOW - dt.timedelta(days=40),
            publish_by=NOW - dt.timedelta(days=38),
            contract_due=NOW - dt.timedelta(days=2),
            created_at=NOW - dt.timedelta(days=40),
        )
    )
    db.session.add(
        Contract(
            lot_id=lot.id,
            number="HT-1",
            supplier_id=org.id,
            price=Decimal("1"),
            signed_on=(NOW - dt.timedelta(days=5)).date(),
            filename="c.pdf",
            sha256="0" * 64,
            size=1,
            filed_by_id=w.staff.id,
            filed_at=NOW - dt.timedelta(days=4),
        )
    )
    db.session.commit()
    _run("clock.contract")
    assert _open("clock.contract") == []


def test_an_expert_over_the_cap_for_one_purchaser_within_a_year() -> None:
    from experts.models import Draw, DrawStatus, Invitation, InvitationState
    from experts.pool import seed_specialties
    from tests.experts.world import make_expert

    clock.set_now(NOW)
    seed_specialties()
    w = World()
    regular, once = make_expert(w.centre, name="常客专家"), make_expert(w.centre, name="偶遇专家")

    def sit(expert: Any, days_ago: int) -> None:
        lot = w.lot(LotStatus.EVALUATED)
        at = NOW - dt.timedelta(days=days_ago)
        draw = Draw(
            lot_id=lot.id,
            requested_by_id=w.staff.id,
            evaluation_at=at,
            earliest_at=at - dt.timedelta(days=1),
            venue="评标室",
            status=DrawStatus.DRAWN,
            created_at=at - dt.timedelta(days=1),
        )
        db.session.add(draw)
        db.session.flush()
        db.session.add(
            Invitation(
                draw_id=draw.id,
                root_id=draw.id,
                slot=0,
                rank=0,
                expert_id=expert.id,
                state=InvitationState.CONFIRMED,
            )
        )
        db.session.flush()

    for days in (10, 40, 90, 200):  # four sittings in a year: over the cap of three
        sit(regular, days)
    sit(regular, 400)  # more than a year ago: not counted
    for days in (20, 60, 100):  # three: at the cap, allowed
        sit(once, days)
    db.session.commit()
    _run("experts.repeat")
    (found,) = _open("experts.repeat")
    assert found.facts["expert"] == "常客专家" and found.facts["times"] == 4
    assert found.facts["role"] == "purchaser"
