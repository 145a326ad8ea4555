"""Bid bonds: sub-accounts, matching the bank's arrivals, statement imports, the bank's signed
notices, guarantee checks, refunds and their legal deadlines."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import secrets
from decimal import Decimal
from typing import Any

import pytest

from app.core import clock, formatting
from app.core.audit.models import AuditEntry
from app.core.auth.models import Holiday, Role
from app.core.crypto import new_ed25519_keypair, sign_ed25519
from app.core.errors import Forbidden, ValidationError
from app.core.extensions import db
from bidding.bids import actions, bank, bonds, refunds
from bidding.bids.bond_models import (
    ArrivalStatus,
    BankArrival,
    BondRefund,
    HoldReason,
    RefundReason,
)
from bidding.bids.eligibility import bid_problems
from bidding.bids.models import BidBond, BondKind, BondStatus
from tests.bids.conftest import (
    DEADLINE,
    World,
    centre_officer,
    make_supplier,
    statement_csv,
)
from tests.factories import csrf_from, login, make_org, make_user, token_headers

NOTICE = "/api/v1/bank/notices"


def _cst(at: dt.datetime) -> str:
    return formatting.cst(at, formatting.SECOND)


def _row(txn: str, sub: str, amount: Any, payer: str = "62220000000001", at: Any = None) -> tuple:
    return (txn, sub, str(amount), payer, "某某建设有限公司", _cst(at or clock.now()))


def _unpaid(world: World) -> Any:
    user = make_supplier(world.lot, world.staff, bond=False)
    db.session.commit()
    return user


def _audit(action: str) -> int:
    return db.session.query(AuditEntry).filter_by(action=action).count()


# ---------------------------------------------------------------- sub-accounts and matching


def test_a_sub_account_is_the_suppliers_own_and_asking_twice_returns_it(world: World) -> None:
    a, b = _unpaid(world), _unpaid(world)
    first = bonds.issue_sub_account(world.lot, a)
    assert bonds.issue_sub_account(world.lot, a).id == first.id
    other = bonds.issue_sub_account(world.lot, b)
    assert other.number != first.number and len(first.number) == len(other.number)
    assert first.amount_due == world.lot.bid_bond
    with pytest.raises(Forbidden):
        bonds.issue_sub_account(world.lot, world.staff)
    clock.set_now(DEADLINE)
    with pytest.raises(Exception, match="不在投标期"):
        bonds.issue_sub_account(world.lot, _unpaid(world))


def test_statement_rows_are_matched_or_held_with_a_reason(world: World) -> None:
    paid, short, late, twice = (_unpaid(world) for _i in range(4))
    subs = {u.id: bonds.issue_sub_account(world.lot, u).number for u in (paid, short, late, twice)}
    due = world.lot.bid_bond
    data = statement_csv(
        _row("T1", subs[paid.id], due),
        _row("T2", subs[short.id], due - Decimal("0.01")),
        _row("T3", "9999000011112222", due),
        _row("T4", subs[late.id], due, at=DEADLINE),
        _row("T5", subs[twice.id], due),
        _row("T6", subs[twice.id], due),
    )
    result = bank.import_statement(
        world.lot.project.centre, centre_officer(world.lot), "s.csv", data
    )
    db.session.commit()
    assert (len(result.added), result.matched, result.held) == (6, 2, 4)
    reasons = {
        a.bank_txn_id: a.hold_reason for a in db.session.query(BankArrival).all() if a.hold_reason
    }
    assert reasons == {
        "T2": HoldReason.AMOUNT_MISMATCH,
        "T3": HoldReason.UNKNOWN_ACCOUNT,
        "T4": HoldReason.AFTER_DEADLINE,
        "T6": HoldReason.ALREADY_PAID,
    }
    assert bid_problems(world.lot, paid.organisation) == []
    assert any("保证金" in p for p in bid_problems(world.lot, short.organisation))
    bond = bonds.bond_of(world.lot, paid.organisation)
    assert bond is not None and bond.kind == BondKind.PAID and bond.reference == "T1"
    assert _audit(actions.ARRIVAL_HELD) == 4 and _audit(actions.STATEMENT_IMPORTED) >= 1
    from app.core.notify import Notification

    told = {n.user_id: n.title for n in db.session.query(Notification).filter_by(kind="bond")}
    assert "已到账" in told[paid.id] and "待处理" in told[short.id]
    assert world.staff.id not in told  # the agency hears nothing


def test_staff_settle_a_held_payment_credit_or_return(world: World) -> None:
    over, short = _unpaid(world), _unpaid(world)
    s1 = bonds.issue_sub_account(world.lot, over).number
    s2 = bonds.issue_sub_account(world.lot, short).number
    officer = centre_officer(world.lot)
    due = world.lot.bid_bond
    bank.import_statement(
        world.lot.project.centre,
        officer,
        "s.csv",
        statement_csv(_row("O1", s1, due + 100), _row("S1", s2, due - 100)),
    )
    rows = {a.bank_txn_id: a for a in db.session.query(BankArrival).all()}
    with pytest.raises(ValidationError):
        bank.resolve_arrival(rows["O1"], officer, credit=True, note=" ")
    with pytest.raises(Forbidden):
        bank.resolve_arrival(rows["O1"], world.staff, credit=True, note="多缴")
    with pytest.raises(Exception, match="低于应缴金额"):
        bank.resolve_arrival(rows["S1"], officer, credit=True, note="少缴")
    bank.resolve_arrival(rows["O1"], officer, credit=True, note="多缴 100 元，计为保证金")
    bank.resolve_arrival(rows["S1"], officer, credit=False, note="少缴，退回")
    db.session.commit()
    assert rows["O1"].status == ArrivalStatus.CREDITED
    assert bid_problems(world.lot, over.organisation) == []
    refund = db.session.query(BondRefund).filter_by(arrival_id=rows["S1"].id).one()
    assert refund.reason == RefundReason.RETURN_ARRIVAL and refund.amount == due - 100


# ---------------------------------------------------------------- the statement file


def test_a_statement_with_bad_rows_is_refused_whole_and_lists_every_bad_row(
    client: Any, world: World
) -> None:
    user = _unpaid(world)
    sub = bonds.issue_sub_account(world.lot, user).number
    db.session.commit()
    officer = centre_officer(world.lot)
    headers = token_headers(officer)
    before = db.session.query(BankArrival).count()
    bad = statement_csv(
        _row("B1", sub, world.lot.bid_bond),
        ("B2", sub, "五万元", "6222", "x", _cst(clock.now())),
        _row("B1", sub, world.lot.bid_bond),
        ("B4", "12AB", "100", "6222", "x", "yesterday"),
    )
    resp = client.post(
        "/api/v1/bank/statements",
        data={"file": (io.BytesIO(bad), "statement.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    body = resp.get_json()
    assert resp.status_code == 422, body
    listed = body["details"]["errors"]
    assert "第 3 行" in listed and "第 4 行" in listed and "第 5 行" in listed
    assert "第 2 行：" not in listed and "3 行错误" in body["message"]
    assert db.session.query(BankArrival).count() == before
    assert bonds.bond_of(world.lot, user.organisation) is None

    missing = b"txn_id,amount\nX,1\n"
    resp = client.post(
        "/api/v1/bank/statements",
        data={"file": (io.BytesIO(missing), "s.csv")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422 and "虚拟子账号" in resp.get_json()["message"]


def test_importing_a_statement_twice_changes_nothing(client: Any, world: World) -> None:
    user = _unpaid(world)
    sub = bonds.issue_sub_account(world.lot, user).number
    db.session.commit()
    headers = token_headers(centre_officer(world.lot))
    good = statement_csv(_row("G1", sub, world.lot.bid_bond))

    def post(data: bytes) -> Any:
        return client.post(
            "/api/v1/bank/statements",
            data={"file": (io.BytesIO(data), "s.csv")},
            headers=headers,
            content_type="multipart/form-data",
        )

    first = post(good)
    assert first.status_code == 201 and first.get_json() == {
        "added": 1,
        "matched": 1,
        "held": 0,
        "already": 0,
    }
    again = post(good)
    assert again.status_code == 201 and again.get_json()["already"] == 1
    assert again.get_json()["added"] == 0
    assert db.session.query(BankArrival).filter_by(bank_txn_id="G1").count() == 1
    changed = post(statement_csv(_row("G1", sub, world.lot.bid_bond + 1)))
    assert changed.status_code == 422 and "内容与之不同" in changed.get_json()["details"]["errors"]


def test_only_centre_staff_import_statements(client: Any, world: World) -> None:
    data = statement_csv(_row("Z1", "1", "1"))
    for user in (world.staff, world.supervisor, world.suppliers[0]):
        resp = client.post(
            "/api/v1/bank/statements",
            data={"file": (io.BytesIO(data), "s.csv")},
            headers=token_headers(user),
            content_type="multipart/form-data",
        )
        assert resp.status_code == 403


# ---------------------------------------------------------------- the bank's signed notices


def _register(client: Any, world: World, alg: str, public_key: str = "") -> dict[str, Any]:
    resp = client.post(
        "/api/v1/bank/keys",
        json={"bank_name": "中国工商银行乌兰察布分行", "alg": alg, "public_key": public_key},
        headers=token_headers(centre_officer(world.lot)),
    )
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _notice(
    client: Any,
    key_id: str,
    sign: Any,
    fields: dict[str, Any],
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> Any:
    body = json.dumps(fields, ensure_ascii=False).encode()
    ts = str(timestamp if timestamp is not None else int(clock.now().timestamp()))
    nonce = nonce or secrets.token_hex(12)
    signature = sign(bank.signed_message("POST", NOTICE, ts, nonce, body))
    return client.post(
        NOTICE,
        data=body,
        content_type="application/json",
        headers={
            "X-Bank-Key": key_id,
            "X-Bank-Timestamp": ts,
            "X-Bank-Nonce": nonce,
            "X-Bank-Signature": signature,
        },
    )


def _fields(txn: str, sub: str, amount: Any) -> dict[str, Any]:
    return {
        "txn_id": txn,
        "sub_account": sub,
        "amount": str(amount),
        "payer_account": "6222020602001234",
        "payer_name": "某某建设有限公司",
        "paid_at": clock.now().isoformat(),
    }


def test_a_signed_notice_is_matched_and_replays_and_forgeries_are_refused(
    client: Any, world: World
) -> None:
    user = _unpaid(world)
    sub = bonds.issue_sub_account(world.lot, user).number
    db.session.commit()
    private, public = new_ed25519_keypair()
    key = _register(client, world, "ed25519", public)
    assert key["secret"] is None

    def sign(m: bytes) -> str:
        return sign_ed25519(private, m)

    fields = _fields("N1", sub, world.lot.bid_bond)
    ok = _notice(client, key["key_id"], sign, fields, nonce="nonce0001")
    assert ok.status_code == 201 and ok.get_json()["status"] == "matched"
    assert bid_problems(world.lot, user.organisation) == []
    # The same signed request again: a replay.
    replay = _notice(client, key["key_id"], sign, fields, nonce="nonce0001")
    assert replay.status_code == 409
    # The same transaction in a fresh request: answered, not counted twice.
    again = _notice(client, key["key_id"], sign, fields)
    assert again.status_code == 200
    assert db.session.query(BankArrival).filter_by(bank_txn_id="N1").count() == 1
    # Forged: another key's signature; altered: the body changed after signing.
    other_private, _pub = new_ed25519_keypair()
    forged = _notice(client, key["key_id"], lambda m: sign_ed25519(other_private, m), fields)
    assert forged.status_code == 401 and "签名" in forged.get_json()["message"]
    stale = _notice(
        client,
        key["key_id"],
        sign,
        _fields("N2", sub, 1),
        timestamp=int(clock.now().timestamp()) - 3600,
    )
    assert stale.status_code == 401 and "时间戳" in stale.get_json()["message"]
    unknown = _notice(client, "bk_nobody", sign, _fields("N3", sub, 1))
    assert unknown.status_code == 401
    body = json.dumps(_fields("N4", sub, 1)).encode()
    ts, nonce = str(int(clock.now().timestamp())), "alteredbody1"
    signature = sign(bank.signed_message("POST", NOTICE, ts, nonce, body))
    altered = client.post(
        NOTICE,
        data=body.replace(b'"1"', b'"2"'),
        content_type="application/json",
        headers={
            "X-Bank-Key": key["key_id"],
            "X-Bank-Timestamp": ts,
            "X-Bank-Nonce": nonce,
            "X-Bank-Signature": signature,
        },
    )
    assert altered.status_code == 401
    refused = BankArrival.bank_txn_id.in_(["N2", "N3", "N4"])
    assert db.session.query(BankArrival).filter(refused).count() == 0
    # Past twice the window the nonce is forgotten: its timestamp alone now refuses it.
    clock.advance(dt.timedelta(minutes=11))
    assert bank.purge_nonces() >= 1
    db.session.commit()
    late = _notice(client, key["key_id"], sign, fields, nonce="nonce0001", timestamp=int(ts))
    assert late.status_code == 401


def test_an_hmac_key_is_shown_once_and_a_revoked_key_is_refused(client: Any, world: World) -> None:
    user = _unpaid(world)
    sub = bonds.issue_sub_account(world.lot, user).number
    db.session.commit()
    key = _register(client, world, "hmac-sha256")
    secret = key["secret"].encode()

    def sign(m: bytes) -> str:
        return hmac.new(secret, m, hashlib.sha256).hexdigest()

    resp = _notice(client, key["key_id"], sign, _fields("H1", sub, world.lot.bid_bond - 1))
    assert resp.status_code == 201 and resp.get_json()["hold_reason"] == "amount_mismatch"
    listed = client.get("/api/v1/bank/keys", headers=token_headers(centre_officer(world.lot)))
    assert key["secret"] not in listed.get_data(as_text=True)
    revoke = client.post(
        f"/api/v1/bank/keys/{key['id']}/revoke", headers=token_headers(centre_officer(world.lot))
    )
    assert revoke.status_code == 200
    assert _notice(client, key["key_id"], sign, _fields("H2", sub, 1)).status_code == 401
    agency = client.post(
        "/api/v1/bank/keys",
        json={"bank_name": "x", "alg": "hmac-sha256"},
        headers=token_headers(world.staff),
    )
    assert agency.status_code == 403


# ---------------------------------------------------------------- guarantee letters


def _guarantee(client: Any, world: World, user: Any) -> int:
    resp = client.post(
        f"/api/v1/lots/{world.lot.id}/my-bond/guarantee",
        data={
            "amount": str(world.lot.bid_bond),
            "reference": "BG-2026-7",
            "letter": (io.BytesIO(b"%PDF-1.4 guarantee"), "保函.pdf"),
        },
        headers=token_headers(user),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["bond"]["status"] == "pending"
    return int(resp.get_json()["bond"]["id"])


def test_a_guarantee_check_shows_the_officer_that_letter_and_no_other_bidder(
    client: Any, app: Any, world: World
) -> None:
    user = _unpaid(world)
    bond_id = _guarantee(client, world, user)
    assert any("保证金" in p for p in bid_problems(world.lot, user.organisation))
    officer = centre_officer(world.lot)
    db.session.commit()

    queue = client.get("/api/v1/guarantees/pending", headers=token_headers(officer)).get_json()
    assert queue == [{"id": bond_id, "submitted_at": queue[0]["submitted_at"]}]
    check = client.get(f"/api/v1/guarantees/{bond_id}", headers=token_headers(officer))
    assert check.status_code == 200 and check.get_json()["applicant"] == user.organisation.name
    for path in (f"/api/v1/guarantees/{bond_id}", "/api/v1/guarantees/pending"):
        for who in (world.staff, world.suppliers[0], world.admin):
            assert client.get(path, headers=token_headers(who)).status_code == 403

    page_client = app.test_client()
    login(page_client, officer)
    desk = page_client.get("/bonds/centre").get_data(as_text=True)
    page = page_client.get(f"/bonds/guarantees/{bond_id}").get_data(as_text=True)
    assert user.organisation.name in page and f"G-{bond_id:06d}" in desk
    for other in world.orgs:  # the paid bidders: neither on the desk nor on the check
        assert other.name not in page and other.name not in desk
        assert other.credit_code not in page and other.credit_code not in desk
    assert user.organisation.name not in desk

    token = csrf_from(page_client, f"/bonds/guarantees/{bond_id}")
    page_client.post(
        f"/bonds/guarantees/{bond_id}/decision", data={"csrf_token": token, "accept": "0"}
    )
    bond = db.session.get(BidBond, bond_id)
    db.session.refresh(bond)
    assert bond.status == BondStatus.PENDING  # a rejection needs a reason
    agency = app.test_client()
    login(agency, world.staff)
    assert agency.get(f"/bonds/guarantees/{bond_id}").status_code == 403
    assert agency.get(f"/bonds/guarantees/{bond_id}/letter").status_code == 403
    resp = client.post(
        f"/api/v1/guarantees/{bond_id}/decision",
        json={"accept": True},
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 403
    resp = client.post(
        f"/api/v1/guarantees/{bond_id}/decision",
        json={"accept": True},
        headers=token_headers(officer),
    )
    assert resp.status_code == 200 and resp.get_json()["status"] == "accepted"
    assert bid_problems(world.lot, user.organisation) == []
    assert page_client.get(f"/bonds/guarantees/{bond_id}/letter").data == b"%PDF-1.4 guarantee"


# ---------------------------------------------------------------- refunds and their deadlines


AWARD = dt.datetime(2026, 4, 2, 2, 0, tzinfo=dt.UTC)  # Thursday 10:00 Beijing time


def _cst_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=clock.CST).astimezone(dt.UTC)


def test_refund_periods_start_the_day_after_and_skip_a_holiday(world: World) -> None:
    centre_id = world.lot.project.centre_id
    # Award on Thursday 2 April: 5 days are 3–7 April; the period ends at 24:00 on the 7th.
    assert refunds.refund_due(AWARD, 5, centre_id) == _cst_midnight(dt.date(2026, 4, 8))
    # 23:59 on the day of the event still counts from the next day.
    late = dt.datetime(2026, 4, 2, 15, 59, tzinfo=dt.UTC)
    assert refunds.refund_due(late, 5, centre_id) == _cst_midnight(dt.date(2026, 4, 8))
    # A last day that is a holiday moves to the next working day.
    db.session.add(Holiday(centre_id=centre_id, day=dt.date(2026, 4, 7), name="测试假日"))
    db.session.flush()
    assert refunds.refund_due(AWARD, 5, centre_id) == _cst_midnight(dt.date(2026, 4, 9))
    # A last day on a Saturday moves to Monday.
    saturday_start = dt.datetime(2026, 4, 6, 2, 0, tzinfo=dt.UTC)  # Monday + 5 → Saturday 11th
    assert refunds.refund_due(saturday_start, 5, centre_id) == _cst_midnight(dt.date(2026, 4, 14))


def test_award_starts_the_others_refunds_and_the_contract_the_winners(world: World) -> None:
    winner = world.orgs[0]
    clock.set_now(AWARD)
    started = refunds.start_refunds_except(world.lot, world.staff, AWARD, winner.id)
    assert sorted(r.supplier_id for r in started) == sorted(o.id for o in world.orgs[1:])
    assert all(r.reason == RefundReason.NOT_AWARDED for r in started)
    assert all(r.due_at == _cst_midnight(dt.date(2026, 4, 8)) for r in started)
    assert refunds.start_refunds_except(world.lot, world.staff, AWARD, winner.id) == []
    contract = AWARD + dt.timedelta(days=10)
    won = refunds.start_refunds_on_contract(world.lot, world.staff, contract)
    assert [r.supplier_id for r in won] == [winner.id] and won[0].reason == RefundReason.WINNER
    assert refunds.start_refunds_on_contract(world.lot, world.staff, contract) == []
    assert db.session.query(BondRefund).count() == len(world.orgs)
    assert _audit(actions.REFUND_STARTED) == len(world.orgs)


def test_the_scheduler_flags_an_overdue_refund_once_and_staff_record_it_done(
    world: World,
) -> None:
    clock.set_now(AWARD)
    started = refunds.start_refunds_except(world.lot, world.staff, AWARD, world.orgs[0].id)
    db.session.commit()
    clock.set_now(started[0].due_at - dt.timedelta(seconds=1))
    assert refunds.sweep_overdue() == 0
    officer = centre_officer(world.lot)
    refunds.record_refund_done(started[0], officer, bank_reference="RF-001")
    clock.set_now(started[0].due_at)
    assert refunds.sweep_overdue() == len(started) - 1
    db.session.commit()
    assert refunds.sweep_overdue() == 0
    assert started[0].overdue_at is None and started[1].overdue_at is not None
    with pytest.raises(Forbidden):
        refunds.record_refund_done(started[1], world.staff, bank_reference="RF-2")
    with pytest.raises(ValidationError):
        refunds.record_refund_done(started[1], officer, bank_reference=" ")
    refunds.record_refund_done(started[1], officer, bank_reference="RF-002")
    late = (
        db.session.query(AuditEntry)
        .filter_by(action=actions.REFUND_DONE)
        .order_by(AuditEntry.seq)
        .all()
    )
    assert [json.loads(e.data)["late"] for e in late] == [False, True]
    assert _audit(actions.REFUND_OVERDUE) == len(started) - 1


def test_a_supplier_sees_its_own_bond_and_nobody_elses(client: Any, world: World) -> None:
    me, other = world.suppliers[0], world.suppliers[1]
    mine = client.get(f"/api/v1/lots/{world.lot.id}/my-bond", headers=token_headers(me))
    body = mine.get_json()
    assert mine.status_code == 200 and body["satisfied"] is True
    assert body["bond"]["supplier_id"] == me.organisation_id
    assert body["sub_account"]["number"] and body["sub_account"]["amount_due"] == "50000.00"
    text = mine.get_data(as_text=True)
    assert other.organisation.name not in text
    assert bonds.sub_account_of(world.lot, other.organisation).number not in text
    assert (
        client.get(f"/api/v1/lots/{world.lot.id}/bonds", headers=token_headers(me)).status_code
        == 403
    )
    stranger = make_user(Role.STAFF, organisation=make_org("agency"))
    assert (
        client.get(
            f"/api/v1/lots/{world.lot.id}/my-bond", headers=token_headers(stranger)
        ).status_code
        == 403
    )


# ---------------------------------------------------------------- supervision


def test_supervisors_see_one_account_paying_for_several_bidders_and_nobody_else_does(
    client: Any, app: Any, world: World
) -> None:
    from tests.bids.conftest import pay_bond

    a, b, c = (_unpaid(world) for _i in range(3))
    pay_bond(world.lot, a, payer_account="6222000011112222")
    pay_bond(world.lot, b, payer_account="6222000011112222")
    pay_bond(world.lot, c, payer_account="6222000099998888")
    db.session.commit()
    resp = client.get("/api/v1/supervision/shared-payers", headers=token_headers(world.supervisor))
    signals = resp.get_json()
    assert resp.status_code == 200 and len(signals) == 1
    assert signals[0]["payer_account"] == "6222000011112222"
    assert sorted(p["supplier_id"] for p in signals[0]["payments"]) == sorted(
        [a.organisation_id, b.organisation_id]
    )
    for who in (world.staff, world.admin, world.suppliers[0], centre_officer(world.lot)):
        assert (
            client.get("/api/v1/supervision/shared-payers", headers=token_headers(who)).status_code
            == 403
        )
    page = app.test_client()
    login(page, world.supervisor)
    text = page.get("/supervision/bond-signals").get_data(as_text=True)
    assert a.organisation.name in text and b.organisation.name in text
    assert c.organisation.name not in text and "6222000099998888" not in text
    agency = app.test_client()
    login(agency, world.staff)
    assert agency.get("/supervision/bond-signals").status_code == 403
    # The agency's list after the deadline names the bidders but never the paying accounts.
    clock.set_now(DEADLINE)
    listed = agency.get(f"/bonds/lots/{world.lot.id}").get_data(as_text=True)
    assert a.organisation.name in listed and "6222000011112222" not in listed


def test_the_desk_lists_every_bad_row_of_a_refused_statement(client: Any, world: World) -> None:
    officer = centre_officer(world.lot)
    db.session.commit()
    login(client, officer)
    token = csrf_from(client, "/bonds/centre")
    bad = statement_csv(
        ("D1", "1234", "abc", "6222", "x", "2026-03-02 10:00:00"),
        ("D2", "1234", "10", "", "x", "2026-03-02 10:00:00"),
    )
    resp = client.post(
        "/bonds/centre/statement",
        data={"csrf_token": token, "file": (io.BytesIO(bad), "s.csv")},
        content_type="multipart/form-data",
    )
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "第 2 行" in text and "第 3 行" in text
    assert db.session.query(BankArrival).filter(BankArrival.bank_txn_id.like("D%")).count() == 0
    login(client, world.staff)
    assert client.get("/bonds/centre").status_code == 403


def test_a_lot_without_a_bond_says_none_is_due_instead_of_not_registered(
    client: Any, world: World
) -> None:
    from tests.bids.conftest import make_supplier
    from tests.factories import login

    supplier = make_supplier(world.lot, world.staff, bond=False)
    db.session.commit()
    login(client, supplier)
    page = client.get(f"/bids/lots/{world.lot.id}").get_data(as_text=True)
    assert "未登记" in page  # a bond is due and none is in yet
    world.lot.bid_bond = Decimal("0")
    db.session.commit()
    page = client.get(f"/bids/lots/{world.lot.id}").get_data(as_text=True)
    assert "未登记" not in page and "无需缴纳" in page and "本标段不收取投标保证金" in page
