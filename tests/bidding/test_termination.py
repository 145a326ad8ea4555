"""Termination (终止): a notice, a final state, an audit entry, and downloaders told."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.core.notify import Notification
from bidding.documents.models import DocumentDownload, TenderDocument
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from tests.bidding.helpers import TENDER_FIELDS, World, lot_payload, project_payload
from tests.factories import token_headers


def published_lot(client: Any, world: World) -> int:
    headers = token_headers(world.staff)
    project = client.post(
        "/api/v1/projects", json=project_payload(world, lots=[lot_payload()]), headers=headers
    ).get_json()
    lot_id = project["lots"][0]["id"]
    resp = client.post(f"/api/v1/lots/{lot_id}/tender-notice", json=TENDER_FIELDS, headers=headers)
    assert resp.status_code == 201
    return lot_id


def terminate(client: Any, world: World, lot_id: int, reason: str, user: Any = None) -> Any:
    return client.post(
        f"/api/v1/lots/{lot_id}/termination",
        json={"reason": reason},
        headers=token_headers(user or world.staff),
    )


def test_termination_publishes_a_notice_and_ends_the_lot(client: Any, world: World) -> None:
    lot_id = published_lot(client, world)
    resp = terminate(client, world, lot_id, "采购需求发生重大变化，本项目终止采购。")
    assert resp.status_code == 201, resp.get_json()
    ann = resp.get_json()
    assert ann["kind"] == "termination"
    assert "终止公告" in ann["title"]
    assert "四、终止原因：采购需求发生重大变化，本项目终止采购。" in ann["body"]
    lot = db.session.get(Lot, lot_id)
    assert lot.status == LotStatus.TERMINATED
    assert lot.status_reason == "采购需求发生重大变化，本项目终止采购。"
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "lot.terminated").order_by(AuditEntry.seq)
    ).scalar_one()
    assert entry.object_id == str(lot_id)
    assert "published" in entry.data


def test_termination_needs_a_real_reason(client: Any, world: World) -> None:
    lot_id = published_lot(client, world)
    resp = terminate(client, world, lot_id, "不做")
    assert resp.status_code == 422
    assert "至少 5 个字" in resp.get_json()["message"]
    assert db.session.get(Lot, lot_id).status == LotStatus.PUBLISHED
    kinds = db.session.execute(select(Announcement.kind)).scalars().all()
    assert AnnouncementKind.TERMINATION not in kinds


def test_terminated_lot_cannot_be_terminated_again(client: Any, world: World) -> None:
    lot_id = published_lot(client, world)
    assert terminate(client, world, lot_id, "采购计划取消，终止本标段。").status_code == 201
    again = terminate(client, world, lot_id, "采购计划取消，终止本标段。")
    assert again.status_code == 409
    assert "不能终止" in again.get_json()["message"]
    count = db.session.execute(
        select(func.count())
        .select_from(Announcement)
        .where(Announcement.kind == AnnouncementKind.TERMINATION)
    ).scalar_one()
    assert count == 1


def test_supplier_cannot_terminate(client: Any, world: World) -> None:
    lot_id = published_lot(client, world)
    resp = terminate(client, world, lot_id, "我想终止这个项目。", user=world.supplier)
    assert resp.status_code == 403
    assert db.session.get(Lot, lot_id).status == LotStatus.PUBLISHED


def test_supervisor_cannot_terminate(client: Any, world: World) -> None:
    lot_id = published_lot(client, world)
    resp = terminate(client, world, lot_id, "监督人员尝试终止。", user=world.supervisor)
    assert resp.status_code == 403


def test_suppliers_who_downloaded_the_documents_are_told(client: Any, world: World) -> None:
    lot_id = published_lot(client, world)
    doc = TenderDocument(
        lot_id=lot_id,
        version=1,
        filename="招标文件.pdf",
        sha256="0" * 64,
        size=10,
        uploaded_by_id=world.staff.id,
        uploaded_at=clock.now(),
    )
    db.session.add(doc)
    db.session.flush()
    db.session.add(
        DocumentDownload(
            lot_id=lot_id,
            document_id=doc.id,
            supplier_id=world.supplier.organisation_id,
            user_id=world.supplier.id,
            at=clock.now(),
        )
    )
    db.session.commit()
    assert terminate(client, world, lot_id, "采购需求发生重大变化。").status_code == 201
    notes = (
        db.session.execute(select(Notification).where(Notification.user_id == world.supplier.id))
        .scalars()
        .all()
    )
    assert len(notes) == 1
    assert "终止公告" in notes[0].title


def test_long_names_still_give_a_title_that_fits(client: Any, world: World) -> None:
    headers = token_headers(world.staff)
    project = client.post(
        "/api/v1/projects",
        json=project_payload(world, name="项" * 200, lots=[lot_payload(name="标" * 200)]),
        headers=headers,
    ).get_json()
    lot_id = project["lots"][0]["id"]
    resp = terminate(client, world, lot_id, "采购需求发生重大变化。")
    assert resp.status_code == 201, resp.get_json()
    assert len(resp.get_json()["title"]) == 300
    assert resp.get_json()["title"].endswith("…终止公告")
