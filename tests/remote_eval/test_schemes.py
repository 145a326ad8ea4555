"""The lot's scoring scheme: saved by its agency's staff, frozen by the tender notice,
amended only by a published clarification; the same rules through the JSON API."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from bidding.documents.clarifications import publish_clarification
from bidding.models import LotStatus
from remote_eval import actions, schemes
from remote_eval.models import ScoringScheme
from tests.bidding.helpers import World, make_world
from tests.factories import token_headers
from tests.remote_eval.schemes_world import (
    comprehensive,
    create_lot,
    other_agency_staff,
    publish_tender,
)


@pytest.fixture
def world() -> World:
    return make_world()


def audit_actions() -> list[str]:
    return list(db.session.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars())


def test_editor_starts_from_the_methods_template(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    data = schemes.working_data(lot)
    assert data["method"] == "comprehensive"
    assert data["technical"] and data["commercial"]
    assert schemes.current_version(lot) == 0
    schemes.check_scheme(lot, data)  # the template is valid for goods


def test_staff_saves_a_valid_scheme_with_one_audit_entry(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    row = schemes.save_scheme(lot, world.staff, comprehensive(), 0)
    db.session.commit()
    assert row.data["technical"][0]["name"] == "实施方案"
    assert audit_actions().count(actions.SCHEME_SAVED) == 1
    schemes.save_scheme(lot, world.staff, comprehensive(), row.version)
    db.session.commit()
    assert audit_actions().count(actions.SCHEME_SAVED) == 2


def test_invalid_scheme_is_refused_with_every_problem(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    bad = comprehensive(price={"weight": "20"})
    bad["commercial"][0]["choices"] = ["0", "35"]
    with pytest.raises(ValidationError) as err:
        schemes.save_scheme(lot, world.staff, bad, 0)
    message = str(err.value.message)
    assert "固定分值 35 超过该项满分 30 分" in message
    assert "合计应为 100 分" in message
    assert "货物类项目的价格分权重应在 30–60 分之间" in message


def test_scheme_method_must_be_the_lots(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    with pytest.raises(ValidationError, match="应与标段一致"):
        schemes.save_scheme(lot, world.staff, comprehensive(method="lowest_price"), 0)


def test_stale_version_is_refused(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    schemes.save_scheme(lot, world.staff, comprehensive(), 0)
    db.session.commit()
    with pytest.raises(Conflict, match="已被他人修改"):
        schemes.save_scheme(lot, world.staff, comprehensive(), 0)


def test_other_agency_and_supplier_may_not_edit(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    for user in (other_agency_staff(world), world.supplier):
        with pytest.raises(Forbidden):
            schemes.save_scheme(lot, user, comprehensive(), 0)


def test_tender_notice_freezes_the_saved_scheme(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    schemes.save_scheme(lot, world.staff, comprehensive(), 0)
    db.session.commit()
    resp = publish_tender(client, world, lot)
    assert resp.status_code == 201, resp.get_json()
    row = schemes.scheme_of(lot)
    assert row is not None and row.frozen_at is not None
    assert [v.announcement_id for v in row.versions] == [resp.get_json()["id"]]
    with pytest.raises(Conflict, match="冻结"):
        schemes.save_scheme(lot, world.staff, comprehensive(), row.version)


def test_lot_without_a_saved_scheme_publishes_the_template(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    assert publish_tender(client, world, lot).status_code == 201
    published = schemes.published_scheme(lot)
    assert published is not None and published[0].technical
    assert actions.SCHEME_FROZEN in audit_actions()


def test_tender_notice_refused_when_scheme_no_longer_fits(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    schemes.save_scheme(lot, world.staff, comprehensive(), 0)
    db.session.commit()
    # The lot becomes a services lot (price weight 10–30) with a weight-40 scheme stored.
    row = db.session.execute(select(ScoringScheme)).scalar_one()
    data = comprehensive(price={"weight": "40"})
    data["technical"][0]["maximum"] = "30"
    row.data = data
    lot.category_code = "C0101"
    db.session.commit()
    resp = publish_tender(client, world, lot)
    assert resp.status_code == 422
    assert "评分办法有误，不能发布招标公告" in resp.get_json()["message"]
    db.session.expire_all()
    assert lot.status == LotStatus.DRAFT
    assert schemes.scheme_of(lot).frozen_at is None  # type: ignore[union-attr]


def test_amendment_waits_for_a_clarification(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    schemes.save_scheme(lot, world.staff, comprehensive(), 0)
    db.session.commit()
    assert publish_tender(client, world, lot).status_code == 201
    changed = comprehensive()
    changed["technical"][0]["maximum"] = "35"
    changed["commercial"][0]["maximum"] = "35"
    changed["commercial"][0]["choices"] = ["0", "15", "35"]
    schemes.propose_amendment(lot, world.staff, changed)
    db.session.commit()
    published = schemes.published_scheme(lot)
    assert published is not None and published[0].technical[0].maximum == 40
    ann = publish_clarification(lot, world.staff, title="澄清一", body="调整评分因素分值。")
    db.session.commit()
    assert "评分办法修改如下" in ann.body and "“实施方案”" in ann.body
    published = schemes.published_scheme(lot)
    assert published is not None and str(published[0].technical[0].maximum) == "35"
    row = published[1]
    assert row.pending_data is None
    assert [v.version for v in row.versions] == [1, 2]
    assert row.versions[1].announcement_id == ann.id
    assert actions.SCHEME_AMENDED in audit_actions()


def test_amendment_identical_to_the_published_scheme_is_refused(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    schemes.save_scheme(lot, world.staff, comprehensive(), 0)
    db.session.commit()
    publish_tender(client, world, lot)
    with pytest.raises(ValidationError, match="与已发布的相同"):
        schemes.propose_amendment(lot, world.staff, comprehensive())


def test_clarification_without_pending_amendment_leaves_scheme(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    publish_tender(client, world, lot)
    ann = publish_clarification(lot, world.staff, title="澄清", body="更正联系电话。")
    db.session.commit()
    assert "评分办法" not in ann.body
    assert len(schemes.scheme_of(lot).versions) == 1  # type: ignore[union-attr]


# --------------------------------------------------------------------------- API


def test_api_round_trip(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    url = f"/api/v1/lots/{lot.id}/scoring-scheme"
    staff = token_headers(world.staff)
    got = client.get(url, headers=staff).get_json()
    assert got["version"] == 0 and got["saved"] is False and got["method"] == "comprehensive"
    resp = client.put(url, json={"version": 0, "scheme": comprehensive()}, headers=staff)
    assert resp.status_code == 200, resp.get_json()
    version = resp.get_json()["version"]
    stale = client.put(url, json={"version": 0, "scheme": comprehensive()}, headers=staff)
    assert stale.status_code == 409
    bad = client.put(
        url,
        json={"version": version, "scheme": comprehensive(price={"weight": "x"})},
        headers=staff,
    )
    assert bad.status_code == 422 and "应为数字" in bad.get_json()["message"]
    assert client.get(url, headers=token_headers(world.supplier)).status_code == 403
    assert publish_tender(client, world, lot).status_code == 201
    supplier_view = client.get(url, headers=token_headers(world.supplier)).get_json()
    assert supplier_view["frozen_at"] and supplier_view["pending"] is None
    changed = comprehensive(price={"weight": "40"})
    changed["technical"][0]["maximum"] = "30"
    amend = client.post(url + "/amendment", json={"scheme": changed}, headers=staff)
    assert amend.status_code == 200, amend.get_json()
    assert amend.get_json()["pending_changes"]
    assert client.get(url, headers=token_headers(world.supplier)).get_json()["pending"] is None


def test_api_refuses_another_agency_and_suppliers(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    url = f"/api/v1/lots/{lot.id}/scoring-scheme"
    for user in (other_agency_staff(world), world.supplier):
        resp = client.put(
            url, json={"version": 0, "scheme": comprehensive()}, headers=token_headers(user)
        )
        assert resp.status_code == 403


def test_api_refuses_absurd_numbers_without_crashing(client: Any, world: World) -> None:
    lot = create_lot(client, world)
    data = comprehensive()
    data["technical"][0]["maximum"] = "1E+999999"
    resp = client.put(
        f"/api/v1/lots/{lot.id}/scoring-scheme",
        json={"version": 0, "scheme": data},
        headers=token_headers(world.staff),
    )
    assert resp.status_code == 422
