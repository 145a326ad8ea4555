"""Staff pages of sealed bids: the key ceremony, bid bonds, guarantee letters, record files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.core.extensions import db
from bidding.bids.models import LotOpeningKey
from bidding.models import Lot, LotStatus
from tests.bids.conftest import DEADLINE, PASSPHRASES, World
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
    assert client.get(f"/bonds/lots/{lot.id}").status_code == 200
    token = csrf_from(client, f"/bonds/lots/{lot.id}")
    resp = client.post(f"/bids/lots/{lot.id}/ceremony", data=_ceremony_form(world, token))
    assert resp.status_code == 403
    assert client.get("/bonds/centre").status_code == 403


def test_opening_record_files_exist_only_once_signed(client: Any, world: World) -> None:
    login(client, world.staff)
    assert client.get(f"/bids/lots/{world.lot.id}/record.pdf").status_code == 404
    assert client.get(f"/bids/lots/{world.lot.id}/record.exe").status_code == 404
