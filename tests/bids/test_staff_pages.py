"""Staff pages of sealed bids: the key ceremony, bid bonds, guarantee letters, record files."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from app.core.extensions import db
from bidding.bids.bonds import bond_of
from bidding.bids.eligibility import bid_problems
from bidding.bids.models import BidBond, BondStatus, LotOpeningKey
from bidding.models import Lot, LotStatus
from tests.bids.conftest import DEADLINE, PASSPHRASES, World, make_supplier
from tests.factories import csrf_from, login


def _second_lot(world: World) -> Lot:
    lot = Lot(
        project_id=world.lot.project_id,
        seq=2,
        code="TH-2026-001-02",
        name="施工二标段",
        category_code="A08",
        budget=Decimal("3000000.00"),
        bid_bond=Decimal("30000.00"),
        evaluation_method=world.lot.evaluation_method,
        status=LotStatus.PUBLISHED,
        bid_deadline=DEADLINE,
    )
    db.session.add(lot)
    db.session.commit()
    return lot


def _ceremony_form(world: World, token: str, confirm: dict[int, str] | None = None) -> dict:
    form = {"csrf_token": token, "action": "create", "k": "2"}
    for i, user in enumerate([world.staff, world.supervisor, world.custodians[2]]):
        form[f"user_{i}"] = str(user.id)
        form[f"passphrase_{i}"] = PASSPHRASES[i]
        form[f"confirm_{i}"] = (confirm or {}).get(i, PASSPHRASES[i])
    return form


def test_key_ceremony_page_makes_a_2_of_3_key_and_never_echoes_a_passphrase(
    client: Any, world: World
) -> None:
    lot = _second_lot(world)
    login(client, world.staff)
    url = f"/bids/lots/{lot.id}/ceremony"
    page = client.get(url)
    assert page.status_code == 200 and "生成开标密钥" in page.get_data(as_text=True)

    token = csrf_from(client, url)
    resp = client.post(url, data=_ceremony_form(world, token, {1: "something-else"}))
    text = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "两次输入的口令不一致" in text
    assert all(p not in text for p in PASSPHRASES)

    short = _ceremony_form(world, token)
    short["passphrase_2"] = short["confirm_2"] = "short"
    resp = client.post(url, data=short)
    assert resp.status_code == 422 and "口令过短" in resp.get_data(as_text=True)
    assert db.session.query(LotOpeningKey).filter_by(lot_id=lot.id).count() == 0

    resp = client.post(url, data=_ceremony_form(world, token))
    assert resp.status_code == 302
    key = db.session.query(LotOpeningKey).filter_by(lot_id=lot.id).one()
    assert (key.k, key.n) == (2, 3)
    done = client.get(url).get_data(as_text=True)
    assert key.fingerprint in done and "生成开标密钥并密封分片" not in done
    assert all(p not in done for p in PASSPHRASES)


def test_supervisor_sees_ceremony_and_bonds_but_cannot_act(client: Any, world: World) -> None:
    lot = _second_lot(world)
    login(client, world.supervisor)
    assert client.get(f"/bids/lots/{lot.id}/ceremony").status_code == 200
    assert client.get(f"/bids/lots/{lot.id}/bonds").status_code == 200
    token = csrf_from(client, f"/bids/lots/{lot.id}/bonds")
    resp = client.post(f"/bids/lots/{lot.id}/ceremony", data=_ceremony_form(world, token))
    assert resp.status_code == 403
    supplier = make_supplier(lot, world.staff, bond=False)
    db.session.commit()
    resp = client.post(
        f"/bids/lots/{lot.id}/bonds",
        data={
            "csrf_token": token,
            "supplier_id": supplier.organisation_id,
            "amount": "30000",
            "reference": "X1",
        },
    )
    assert resp.status_code == 403
    assert db.session.query(BidBond).count() == 3  # the world's own lot only


def test_bond_page_refuses_an_amount_below_the_requirement(client: Any, world: World) -> None:
    lot = _second_lot(world)
    supplier = make_supplier(lot, world.staff, bond=False)
    db.session.commit()
    login(client, world.staff)
    url = f"/bids/lots/{lot.id}/bonds"
    token = csrf_from(client, url)
    form = {
        "csrf_token": token,
        "supplier_id": str(supplier.organisation_id),
        "amount": "29999.99",
        "reference": "BANK-1",
    }
    resp = client.post(url, data=form)
    assert resp.status_code == 422 and "低于本标段要求" in resp.get_data(as_text=True)
    assert bond_of(lot, supplier.organisation) is None
    resp = client.post(url, data={**form, "amount": "30000.00"})
    assert resp.status_code == 302
    assert bid_problems(lot, supplier.organisation) != []  # no opening key yet
    assert bond_of(lot, supplier.organisation).status == BondStatus.ACCEPTED


def test_guarantee_letter_counts_only_once_staff_accept_it(
    client: Any, app: Any, world: World
) -> None:
    lot = world.lot
    supplier = make_supplier(lot, world.staff, bond=False)
    db.session.commit()
    login(client, supplier)
    token = csrf_from(client, f"/bids/lots/{lot.id}")
    resp = client.post(
        f"/bids/lots/{lot.id}/guarantee",
        data={
            "csrf_token": token,
            "amount": "50000",
            "reference": "BG-2026-7",
            "letter": (io.BytesIO(b"%PDF-1.4 guarantee"), "保函.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    bond = bond_of(lot, supplier.organisation)
    assert bond is not None and bond.status == BondStatus.PENDING
    assert any("保证金" in p for p in bid_problems(lot, supplier.organisation))

    staff = app.test_client()
    login(staff, world.staff)
    url = f"/bids/lots/{lot.id}/bonds"
    token = csrf_from(staff, url)
    assert "保函待审核" in staff.get(url).get_data(as_text=True)
    letter = staff.get(f"/bids/bonds/{bond.id}/letter")
    assert letter.status_code == 200 and letter.data == b"%PDF-1.4 guarantee"
    staff.post(f"/bids/bonds/{bond.id}/decision", data={"csrf_token": token, "accept": "0"})
    db.session.refresh(bond)
    assert bond.status == BondStatus.PENDING  # returning a letter needs a reason
    staff.post(f"/bids/bonds/{bond.id}/decision", data={"csrf_token": token, "accept": "1"})
    db.session.refresh(bond)
    assert bond.status == BondStatus.ACCEPTED
    assert bid_problems(lot, supplier.organisation) == []

    other = app.test_client()
    login(other, world.suppliers[0])
    assert other.get(f"/bids/bonds/{bond.id}/letter").status_code == 403


def test_opening_record_files_exist_only_once_signed(client: Any, world: World) -> None:
    login(client, world.staff)
    assert client.get(f"/bids/lots/{world.lot.id}/record.pdf").status_code == 404
    assert client.get(f"/bids/lots/{world.lot.id}/record.exe").status_code == 404
