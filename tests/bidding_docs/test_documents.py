"""Upload limits, versions, downloads and their refusals."""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

from sqlalchemy import func, select

from app.core import clock
from app.core.extensions import db
from app.core.storage import get_store
from bidding.documents.models import DocumentDownload, TenderDocument
from bidding.models import LotStatus
from tests.bidding_docs.world import download, make_world, upload
from tests.factories import token_headers


def _post_file(client: Any, lot_id: int, headers: dict[str, str], data: bytes, name: str) -> Any:
    return client.post(
        f"/api/v1/lots/{lot_id}/documents",
        data={"file": (io.BytesIO(data), name), "note": "首次发布"},
        headers=headers,
        content_type="multipart/form-data",
    )


def _stored_files(app: Any) -> int:
    root = app.config["STORAGE_DIR"]
    return sum(len(files) for _d, _s, files in os.walk(root))


def _doc_count() -> int:
    return db.session.execute(select(func.count()).select_from(TenderDocument)).scalar_one()


def test_each_upload_is_a_new_version_and_downloads_get_the_latest(client: Any) -> None:
    w = make_world(status=LotStatus.DRAFT)
    headers = token_headers(w.staff)
    r1 = _post_file(client, w.lot.id, headers, b"version one", "招标文件.pdf")
    r2 = _post_file(client, w.lot.id, headers, b"version two", "招标文件-修订.docx")
    assert (r1.status_code, r2.status_code) == (201, 201)
    assert (r1.json["version"], r2.json["version"]) == (1, 2)
    listing = client.get(f"/api/v1/lots/{w.lot.id}/documents", headers=headers).json
    assert [d["version"] for d in listing] == [2, 1]

    w.lot.status = LotStatus.PUBLISHED
    supplier = w.supplier()
    db.session.commit()
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(supplier))
    assert resp.status_code == 200
    assert resp.data == b"version two"
    assert resp.headers["X-Document-Version"] == "2"
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    old = client.get(f"/api/v1/lots/{w.lot.id}/documents/1", headers=headers)
    assert old.status_code == 200 and old.data == b"version one"
    row = db.session.execute(select(DocumentDownload)).scalar_one()
    assert (row.supplier_id, row.user_id) == (supplier.organisation_id, supplier.id)


def test_empty_file_is_refused_with_a_message_and_nothing_is_written(client: Any, app: Any) -> None:
    w = make_world(status=LotStatus.DRAFT)
    headers = token_headers(w.staff)
    before = _stored_files(app)
    resp = _post_file(client, w.lot.id, headers, b"", "招标文件.pdf")
    assert resp.status_code == 422
    assert "文件为空" in resp.json["message"]
    assert _doc_count() == 0
    assert _stored_files(app) == before


def test_file_with_a_forbidden_extension_is_refused_naming_the_allowed_ones(client: Any) -> None:
    w = make_world(status=LotStatus.DRAFT)
    resp = _post_file(client, w.lot.id, token_headers(w.staff), b"MZ\x90\x00", "setup.exe")
    assert resp.status_code == 422
    assert "exe" in resp.json["message"] and "pdf" in resp.json["message"]
    assert _doc_count() == 0


def test_oversized_file_is_refused_and_nothing_is_written(
    client: Any, app: Any, monkeypatch: Any
) -> None:
    monkeypatch.setitem(app.config, "MAX_DOCUMENT_BYTES", 1024 * 1024)
    w = make_world(status=LotStatus.DRAFT)
    headers = token_headers(w.staff)
    before = _stored_files(app)
    resp = _post_file(client, w.lot.id, headers, b"x" * (1024 * 1024 + 1), "big.pdf")
    assert resp.status_code == 422
    assert "不得超过 1 MB" in resp.json["message"]
    assert _doc_count() == 0
    assert _stored_files(app) == before


def test_missing_file_is_refused_with_a_message(client: Any) -> None:
    w = make_world(status=LotStatus.DRAFT)
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/documents",
        data={"note": "x"},
        headers=token_headers(w.staff),
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert "请选择" in resp.json["message"]


def test_staff_of_another_agency_cannot_upload(client: Any) -> None:
    w = make_world(status=LotStatus.DRAFT)
    resp = _post_file(client, w.lot.id, token_headers(w.other_staff), b"data", "a.pdf")
    assert resp.status_code == 403
    assert _doc_count() == 0


def test_published_documents_change_only_through_a_clarification(client: Any) -> None:
    w = make_world()
    upload(w)
    db.session.commit()
    resp = _post_file(client, w.lot.id, token_headers(w.staff), b"new", "v2.pdf")
    assert resp.status_code == 409
    assert "澄清" in resp.json["message"]
    assert _doc_count() == 1


def test_blacklisted_supplier_is_refused_the_documents(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier(blacklisted_until=clock.now() + dt.timedelta(days=300))
    db.session.commit()
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(supplier))
    assert resp.status_code == 403
    assert "失信" in resp.json["message"]
    assert db.session.execute(select(func.count()).select_from(DocumentDownload)).scalar_one() == 0


def test_supplier_whose_ban_expired_may_download(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier(blacklisted_until=clock.now() - dt.timedelta(days=1))
    db.session.commit()
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(supplier))
    assert resp.status_code == 200


def test_download_outside_the_document_window_is_refused(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier()
    db.session.commit()
    clock.set_now(w.lot.doc_end_at + dt.timedelta(minutes=1))
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(supplier))
    assert resp.status_code == 409
    assert "获取期已于" in resp.json["message"]


def test_suspended_or_draft_lot_offers_no_download(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier()
    w.lot.status = LotStatus.SUSPENDED
    db.session.commit()
    headers = token_headers(supplier)
    assert (
        client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=headers).status_code == 409
    )


def test_staff_and_non_suppliers_cannot_record_a_download(client: Any) -> None:
    w = make_world()
    upload(w)
    db.session.commit()
    resp = client.get(f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(w.staff))
    assert resp.status_code == 403


def test_damaged_file_is_neither_served_nor_recorded(client: Any) -> None:
    w = make_world()
    doc = upload(w, data=b"genuine content")
    supplier = w.supplier()
    db.session.commit()
    path = get_store().path_for(doc.sha256)
    path.write_bytes(b"tampered content")
    try:
        resp = client.get(
            f"/api/v1/lots/{w.lot.id}/documents/latest", headers=token_headers(supplier)
        )
        assert resp.status_code == 409
        assert "校验失败" in resp.json["message"]
        count = db.session.execute(select(func.count()).select_from(DocumentDownload)).scalar_one()
        assert count == 0
    finally:
        path.unlink()


def test_downloaded_lots_appear_in_my_bidding_projects(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier()
    other = w.supplier()
    download(w, supplier)
    db.session.commit()
    mine = client.get("/api/v1/supplier/lots", headers=token_headers(supplier)).json
    assert [x["id"] for x in mine] == [w.lot.id]
    assert client.get("/api/v1/supplier/lots", headers=token_headers(other)).json == []
