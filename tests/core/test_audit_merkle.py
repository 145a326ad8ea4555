"""The Merkle frontier gives the log's root in O(log n); signed checkpoints pin it."""

from __future__ import annotations

import hashlib
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from app.core import clock
from app.core.audit import checkpoint, current_root, record
from app.core.audit.chain import (
    frontier_append,
    frontier_is_valid,
    frontier_root,
    leaf_hash,
    merkle_root,
)
from app.core.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from app.core.audit.service import checkpoint_body, verify
from app.core.crypto import signing
from app.core.extensions import db
from app.core.scheduler import registered_jobs, run_job


def _leaf(i: int) -> bytes:
    return leaf_hash(hashlib.sha256(str(i).encode()).hexdigest())


def _root_over_log() -> str:
    hashes = db.session.execute(select(AuditEntry.entry_hash).order_by(AuditEntry.seq)).scalars()
    return merkle_root([leaf_hash(h) for h in hashes]).hex()


def test_frontier_root_equals_full_tree_root_for_every_size_up_to_300() -> None:
    frontier: list[bytes] = []
    leaves: list[bytes] = []
    for n in range(301):
        assert frontier_is_valid(frontier, n)
        assert frontier_root(frontier) == merkle_root(leaves), n
        leaves.append(_leaf(n))
        frontier = frontier_append(frontier, n, leaves[-1])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(min_size=32, max_size=32), min_size=0, max_size=300))
def test_frontier_root_equals_full_tree_root_for_any_leaves(leaves: list[bytes]) -> None:
    frontier: list[bytes] = []
    for n, leaf in enumerate(leaves):
        frontier = frontier_append(frontier, n, leaf)
    assert len(frontier) == len(leaves).bit_count()
    assert frontier_root(frontier) == merkle_root(leaves)


def test_empty_log_root_is_hash_of_nothing() -> None:
    assert current_root() == (0, hashlib.sha256(b"").hexdigest())


def test_current_root_matches_recomputed_root_after_every_append() -> None:
    for i in range(40):
        entry = record("test.action", data={"i": i})
        assert current_root() == (entry.seq, _root_over_log())
        if i % 7 == 0:
            db.session.commit()
    db.session.commit()
    head = db.session.get(AuditHead, 1)
    assert head is not None and len(head.frontier or []) == (40).bit_count()
    assert verify().ok


def test_head_from_before_frontiers_is_caught_up_on_next_append() -> None:
    for i in range(5):
        record("test.action", data={"i": i})
    db.session.commit()
    db.session.execute(text("UPDATE audit_head SET frontier = NULL"))
    db.session.commit()
    db.session.expire_all()
    assert current_root() == (5, _root_over_log())
    record("test.action", data={"i": 5})
    db.session.commit()
    assert current_root() == (6, _root_over_log())
    assert verify().ok


def test_tampered_frontier_is_caught() -> None:
    for i in range(3):
        record("test.action", data={"i": i})
    db.session.commit()
    head = db.session.get(AuditHead, 1)
    assert head is not None and head.frontier is not None
    head.frontier = ["00" * 32, *head.frontier[1:]]
    db.session.commit()
    result = verify()
    assert not result.ok and "frontier" in result.reason


def _signed_checkpoint() -> AuditCheckpoint:
    for i in range(3):
        record("test.action", data={"i": i})
    cp = checkpoint()
    db.session.commit()
    assert cp is not None
    return cp


def test_checkpoint_signs_size_root_and_time_with_the_platform_key() -> None:
    clock.set_now(clock.now().replace(microsecond=123456))
    cp = _signed_checkpoint()
    assert (cp.size, cp.root) == current_root() == (3, _root_over_log())
    public = signing.platform_public_key()
    assert cp.key_id == public.key_id
    body = checkpoint_body(cp.size, cp.root, cp.signed_at)
    assert set(body) == {"size", "root", "ts"}
    assert signing.verify_json(body, cp.signature, public)
    assert not signing.verify_json({**body, "size": 4}, cp.signature, public)


def test_checkpoint_is_not_repeated_while_the_log_does_not_grow() -> None:
    assert checkpoint() is None  # nothing to attest yet
    _signed_checkpoint()
    assert checkpoint() is None
    record("test.action", data={"i": 3})
    later = checkpoint()
    assert later is not None and later.size == 4
    db.session.commit()
    assert db.session.execute(select(func.count(AuditCheckpoint.id))).scalar() == 2
    result = verify()
    assert result.ok and result.checkpoints == 2


def test_scheduler_sweep_checkpoints_every_five_minutes_idempotently(app: Any) -> None:
    job = next(j for j in registered_jobs() if j.name == "audit_checkpoint")
    assert job.seconds == 300
    record("test.action", data={"i": 0})
    db.session.commit()
    assert run_job(app, job) and run_job(app, job)
    rows = db.session.execute(select(AuditCheckpoint)).scalars().all()
    assert [(r.size, r.root) for r in rows] == [(1, _root_over_log())]


def test_checkpoint_with_forged_signature_is_caught() -> None:
    cp = _signed_checkpoint()
    cp.signature = signing.sign_json({"size": 3, "root": cp.root, "ts": "forged"})
    db.session.commit()
    result = verify()
    assert not result.ok and "signature" in result.reason


def test_checkpoint_whose_root_differs_from_the_log_at_its_size_is_caught() -> None:
    cp = _signed_checkpoint()
    record("test.action", data={"i": 3})
    cp.root = current_root()[1]  # the root of size 4 claimed for size 3
    db.session.commit()
    result = verify()
    assert not result.ok and result.broken_seq == 3 and "root" in result.reason


def test_checkpoint_beyond_the_end_of_the_log_is_caught() -> None:
    _signed_checkpoint()
    ts = clock.now()
    key = signing.load_or_create_key()
    db.session.add(
        AuditCheckpoint(
            size=9,
            root="ab" * 32,
            signed_at=ts,
            signature=signing.sign_json(checkpoint_body(9, "ab" * 32, ts), key),
            key_id=signing.public_key_info(key).key_id,
        )
    )
    db.session.commit()
    result = verify()
    assert not result.ok and "beyond" in result.reason


def test_cli_checkpoint_then_verify_reports_both(app: Any) -> None:
    record("test.action", data={"i": 0})
    db.session.commit()
    runner = app.test_cli_runner()
    out = runner.invoke(args=["audit", "checkpoint"])
    assert out.exit_code == 0 and "checkpoint size 1" in out.output
    again = runner.invoke(args=["audit", "checkpoint"])
    assert again.exit_code == 0 and "no new checkpoint" in again.output
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "1 checkpoints verified" in ok.output
    db.session.execute(text("UPDATE audit_checkpoint SET signature = :s"), {"s": "00" * 64})
    db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and "signature" in bad.output


def test_newest_leaf_proof_from_the_frontier_equals_the_full_tree_proof() -> None:
    from app.core.audit.chain import (
        frontier_append,
        inclusion_proof,
        merkle_root,
        newest_leaf_proof,
        verify_inclusion,
    )

    leaves: list[bytes] = []
    frontier: list[bytes] = []
    for n in range(130):
        leaf = hashlib.sha256(b"leaf-%d" % n).digest()
        proof = newest_leaf_proof(frontier, n)
        frontier = frontier_append(frontier, n, leaf)
        leaves.append(leaf)
        assert proof == inclusion_proof(n, leaves)
        assert verify_inclusion(n, n + 1, leaf, proof, merkle_root(leaves))


def test_record_hands_back_the_root_and_proof_of_its_entry() -> None:
    from app.core.audit.chain import leaf_hash, verify_inclusion

    for i in range(9):
        entry = record("test.append", data={"i": i})
        root = bytes.fromhex(current_root()[1])
        assert entry.tree_root == root
        assert verify_inclusion(
            entry.seq - 1, entry.seq, leaf_hash(entry.entry_hash), entry.inclusion_proof, root
        )
    db.session.commit()
