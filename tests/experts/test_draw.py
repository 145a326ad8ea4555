"""The verifiable draw: window, commitment, crash and resume, verification, sealed flows."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.core import clock
from app.core.audit.chain import leaf_hash, merkle_root
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, TooEarly, TooLate
from app.core.extensions import db
from experts import draw as pure
from experts import draw_record, draws
from experts.models import Draw, DrawStatus, Invitation, InvitationState
from tests.experts.world import EVAL_AT, build_world, drawn_ids, make_pool, request, run

ROOT = Path(__file__).resolve().parents[2]


def test_ranking_is_deterministic_and_depends_on_the_seed() -> None:
    ids = list(range(1, 200))
    a = pure.rank(b"seed-a", ids)
    assert a == pure.rank(b"seed-a", list(reversed(ids)))
    assert a != pure.rank(b"seed-b", ids)
    assert sorted(a) == ids


def test_select_never_places_one_expert_in_two_groups() -> None:
    result = pure.select(
        b"k" * 32,
        [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6, 7]],
        [{"count": 2, "reserves": 2}, {"count": 1, "reserves": 2}],
    )
    placed = [i for g in result for i in g["invited"] + g["reserves"]]
    assert len(placed) == len(set(placed)) == 7


def test_draw_before_the_window_is_refused() -> None:
    w = build_world()
    make_pool(w.centre, 7)
    item = request(w, evaluation_at=clock.now() + dt.timedelta(days=3))
    with pytest.raises(TooEarly, match="评标前 24 小时"):
        draws.commit_draw(item, w.agency_staff)
    assert item.status == DrawStatus.PENDING


def test_draw_after_the_evaluation_time_is_refused() -> None:
    w = build_world()
    make_pool(w.centre, 7)
    item = request(w)
    clock.set_now(EVAL_AT + dt.timedelta(minutes=1))
    with pytest.raises(TooLate):
        draws.commit_draw(item, w.agency_staff)


def test_request_with_evaluation_in_the_past_is_refused() -> None:
    w = build_world()
    make_pool(w.centre, 7)
    with pytest.raises(TooLate):
        request(w, evaluation_at=clock.now() - dt.timedelta(hours=1))


def test_commitment_is_in_the_audit_log_before_any_result() -> None:
    w = build_world()
    make_pool(w.centre, 9)
    item = request(w)
    draws.commit_draw(item, w.agency_staff)
    db.session.commit()
    entry = db.session.get(AuditEntry, item.commitment_seq)
    data = json.loads(entry.data)
    assert entry.action == "experts.draw_committed"
    assert data["seed_hash"] == item.seed_hash
    assert data["pool_hashes"] == [pure.pool_hash(item.eligible[0])]
    assert draws.open_seed(item).hex() not in entry.data
    leaves = [
        leaf_hash(h)
        for h in db.session.execute(
            db.select(AuditEntry.entry_hash)
            .where(AuditEntry.seq <= entry.seq)
            .order_by(AuditEntry.seq)
        ).scalars()
    ]
    assert item.public_value == merkle_root(leaves).hex()
    assert item.result is None
    assert db.session.query(Invitation).count() == 0


def test_crash_between_commitment_and_result_resumes_with_the_same_result() -> None:
    w = build_world()
    make_pool(w.centre, 12)
    item = request(w)
    draws.commit_draw(item, w.agency_staff)
    db.session.commit()
    draw_id = item.id
    draws.execute_draw(item, w.agency_staff)
    first = copy.deepcopy(item.result)
    db.session.rollback()  # the process dies before the result is committed
    db.session.remove()

    again = db.session.get(Draw, draw_id)
    assert again.status == DrawStatus.COMMITTED
    draws.execute_draw(again, db.session.merge(w.agency_staff))
    db.session.commit()
    assert again.result == first
    assert again.status == DrawStatus.DRAWN


def test_a_committed_draw_cannot_be_redrawn_or_requested_again() -> None:
    w = build_world()
    make_pool(w.centre, 12)
    item = request(w)
    draws.commit_draw(item, w.agency_staff)
    db.session.commit()
    seed = item.seed_sealed
    with pytest.raises(Conflict, match="已承诺"):
        draws.commit_draw(item, w.agency_staff)
    with pytest.raises(Conflict, match="只能继续或作废"):
        request(w)
    db.session.rollback()
    assert db.session.get(Draw, item.id).seed_sealed == seed


def test_a_cancelled_committed_draw_stays_in_the_log_and_allows_a_new_request() -> None:
    w = build_world()
    make_pool(w.centre, 12)
    item = request(w)
    draws.commit_draw(item, w.agency_staff)
    draws.cancel_draw(item, w.agency_staff, "评标时间调整")
    db.session.commit()
    assert item.status == DrawStatus.CANCELLED
    fresh = request(w)
    assert fresh.id != item.id
    actions = (
        db.session.execute(
            db.select(AuditEntry.action).where(
                AuditEntry.object_type == "expert_draw", AuditEntry.object_id == str(item.id)
            )
        )
        .scalars()
        .all()
    )
    assert "experts.draw_committed" in actions and "experts.draw_cancelled" in actions


def test_first_count_are_invited_and_reserves_wait_in_order() -> None:
    w = build_world()
    make_pool(w.centre, 12)
    item = run(w, request(w))
    states = {i.expert_id: i.state for i in item.invitations}
    assert [states[i] for i in item.result[0]["invited"]] == [InvitationState.INVITED] * 5
    assert [states[i] for i in item.result[0]["reserves"]] == [InvitationState.WAITING] * 2


def _revealed(w):  # noqa: ANN001, ANN202
    make_pool(w.centre, 10)
    item = run(w, request(w))
    with pytest.raises(Exception, match="评标开始前"):
        draws.reveal_draw(item, w.agency_staff)
    db.session.rollback()
    clock.set_now(EVAL_AT + dt.timedelta(hours=1))
    draws.reveal_draw(item, w.agency_staff)
    db.session.commit()
    return item


def test_verification_matches_an_honest_draw() -> None:
    w = build_world()
    item = _revealed(w)
    checks = draw_record.verify_in_app(item)
    assert all(ok for _n, ok in checks), checks


def test_export_before_reveal_does_not_contain_the_seed() -> None:
    w = build_world()
    make_pool(w.centre, 10)
    item = run(w, request(w))
    record = draw_record.export_record(item)
    assert record["seed"] is None
    assert draws.open_seed(item).hex() not in json.dumps(record, default=str)
    assert not all(ok for _n, ok in pure.verify_record(record))


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: r["result"][0]["invited"].reverse(),
        lambda r: r["eligible"][0].pop(),
        lambda r: r.__setitem__("seed", "00" * 32),
        lambda r: r["request"].__setitem__("venue", "别处"),
        lambda r: r.__setitem__("public_value", "11" * 32),
    ],
    ids=["result", "pool", "seed", "request", "public-value"],
)
def test_standalone_verifier_says_mismatch_for_a_tampered_record(tmp_path, tamper) -> None:  # noqa: ANN001
    w = build_world()
    item = _revealed(w)
    record = json.loads(json.dumps(draw_record.export_record(item), default=str))
    good = tmp_path / "good.json"
    good.write_text(json.dumps(record, ensure_ascii=False))
    ok = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_draw.py"), str(good)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "MATCH" in ok.stdout
    tamper(record)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(record, ensure_ascii=False))
    res = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_draw.py"), str(bad)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert res.returncode == 1
    assert "MISMATCH" in res.stdout


def test_flask_cli_verify_and_export(app) -> None:  # noqa: ANN001
    w = build_world()
    item = _revealed(w)
    runner = app.test_cli_runner()
    res = runner.invoke(args=["experts", "verify-draw", str(item.id)])
    assert res.exit_code == 0, res.output
    assert "MATCH" in res.output
    exported = runner.invoke(args=["experts", "export-draw", str(item.id)])
    assert json.loads(exported.output)["draw_id"] == item.id
    # Tampering with the stored invitations is caught against the live database.
    item.invitations[0].rank = 99
    db.session.commit()
    res = runner.invoke(args=["experts", "verify-draw", str(item.id)])
    assert res.exit_code == 1
    assert "MISMATCH" in res.output


def test_drawn_experts_are_only_from_the_eligible_pool() -> None:
    w = build_world()
    make_pool(w.centre, 15)
    item = run(w, request(w))
    assert drawn_ids(item) <= set(item.eligible[0])
    assert len(drawn_ids(item)) == 7


def test_fast_ranking_equals_the_platform_crypto_ranking() -> None:
    from app.core.crypto.draw import rank as crypto_rank

    ids = list(range(1, 500))
    assert pure.rank(b"s" * 32, ids) == [i for i, _h in crypto_rank(b"s" * 32, ids)]


def test_head_of_the_ranking_is_the_full_ranking_minus_taken_experts() -> None:
    ids = list(range(1, 3000))
    full = pure.rank(b"m" * 32, ids)
    taken = set(full[:5:2])
    assert pure.top(b"m" * 32, ids, 7) == full[:7]
    assert pure.top(b"m" * 32, ids, 7, taken) == [i for i in full if i not in taken][:7]


def test_the_seed_is_sealed_at_rest_until_it_is_revealed() -> None:
    from sqlalchemy import text

    w = build_world()
    make_pool(w.centre, 10)
    item = run(w, request(w))
    seed_hex = draws.open_seed(item).hex()
    row = (
        db.session.execute(text("SELECT * FROM expert_draw WHERE id = :i"), {"i": item.id})
        .mappings()
        .one()
    )
    assert pure.commit(bytes.fromhex(seed_hex)) == item.seed_hash
    assert not any(seed_hex in str(v) for v in row.values())
    assert item.seed_revealed is None
    clock.set_now(EVAL_AT + dt.timedelta(hours=1))
    draws.reveal_draw(item, w.agency_staff)
    db.session.commit()
    assert item.seed_revealed == seed_hex
    assert draw_record.export_record(item)["seed"] == seed_hex


def test_a_committed_draw_whose_seed_no_longer_opens_can_only_be_cancelled(app) -> None:  # noqa: ANN001
    w = build_world()
    make_pool(w.centre, 10)
    item = request(w)
    draws.commit_draw(item, w.agency_staff)
    db.session.commit()
    key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = key + "-rotated"
    try:
        with pytest.raises(Conflict, match="只能作废"):
            draws.execute_draw(item, w.agency_staff)
    finally:
        app.config["SECRET_KEY"] = key
    db.session.rollback()
    assert db.session.query(Invitation).count() == 0
    draws.cancel_draw(item, w.agency_staff, "平台密钥更换")
    db.session.commit()
    assert item.status == DrawStatus.CANCELLED


@pytest.mark.parametrize("rule", [None, pure.RULE_HMAC_RANK, pure.RULE_FISHER_YATES])
def test_each_rule_is_drawn_and_verified_with_the_rule_its_commitment_names(
    app, tmp_path, rule
) -> None:  # noqa: ANN001
    w = build_world()
    make_pool(w.centre, 40)
    item = request(w)
    draws.commit_draw(item, w.agency_staff, rule=rule)
    db.session.commit()
    draws.execute_draw(item, w.agency_staff)
    db.session.commit()
    clock.set_now(EVAL_AT + dt.timedelta(hours=1))
    draws.reveal_draw(item, w.agency_staff)
    db.session.commit()
    data = json.loads(db.session.get(AuditEntry, item.commitment_seq).data)
    assert data.get("rule") == rule
    mixed = pure.mixed_seed(draws.open_seed(item), bytes.fromhex(item.public_value))
    # The result is the named rule's, and differs from the other rule's.
    other = pure.RULE_HMAC_RANK if rule == pure.RULE_FISHER_YATES else pure.RULE_FISHER_YATES
    assert item.result == pure.select(mixed, item.eligible, item.groups, rule or 1)
    assert item.result != pure.select(mixed, item.eligible, item.groups, other)
    res = app.test_cli_runner().invoke(args=["experts", "verify-draw", str(item.id)])
    assert res.exit_code == 0 and "MATCH" in res.output, res.output
    record = json.loads(json.dumps(draw_record.export_record(item), default=str))
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(record, ensure_ascii=False))
    ok = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_draw.py"), str(path)],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0 and "MATCH" in ok.stdout, ok.stdout + ok.stderr
    # The same result claimed under the other rule does not verify.
    record["result"] = pure.select(mixed, item.eligible, item.groups, other)
    assert not all(passed for _n, passed in pure.verify_record(record))


def test_fisher_yates_pick_is_uniform_enough_and_skips_taken_experts() -> None:
    from collections import Counter

    ids = list(range(1, 21))
    counts = Counter(i for s in range(2000) for i in pure.shuffled(b"%d" % s, 0, ids, 3, ()))
    # 2000 draws × 3 seats over 20 ids: 300 each on average.
    assert set(counts) == set(ids)
    assert max(counts.values()) < 400 and min(counts.values()) > 200
    taken = {1, 2, 3, 4, 5}
    picked = pure.shuffled(b"k", 0, ids, 15, taken)
    assert len(picked) == 15 and not taken & set(picked)
    assert sorted(picked) == list(range(6, 21))
    # The pick depends on the ids, not the order they are listed in.
    assert pure.shuffled(b"k", 1, ids, 5, ()) == pure.shuffled(b"k", 1, ids[::-1], 5, ())
