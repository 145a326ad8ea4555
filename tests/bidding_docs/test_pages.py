"""The supplier's and the staff's pages for documents."""

from __future__ import annotations

import io
from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from bidding.documents.models import DocumentDownload, TenderDocument
from bidding.models import LotStatus
from tests.bidding_docs.world import download, make_world, upload
from tests.factories import csrf_from, login


def test_staff_upload_page_refuses_a_bad_file_with_a_message_and_accepts_a_good_one(
    client: Any,
) -> None:
    w = make_world(status=LotStatus.DRAFT)
    db.session.commit()
    login(client, w.staff)
    assert "招标文件" in client.get("/staff/tender-documents").get_data(as_text=True)
    path = f"/staff/lots/{w.lot.id}/documents"
    token = csrf_from(client, path)
    bad = client.post(
        path,
        data={"csrf_token": token, "file": (io.BytesIO(b"x"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert bad.status_code == 422
    assert "不支持的文件类型" in bad.get_data(as_text=True)
    good = client.post(
        path,
        data={"csrf_token": token, "file": (io.BytesIO(b"%PDF tender"), "招标文件.pdf")},
        content_type="multipart/form-data",
    )
    assert good.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "招标文件.pdf" in page
    assert db.session.execute(select(TenderDocument.version)).scalars().all() == [1]


def test_supplier_downloads_from_the_lot_page_and_finds_the_lot_in_my_projects(
    client: Any,
) -> None:
    w = make_world()
    upload(w, data=b"the tender documents")
    supplier = w.supplier()
    db.session.commit()
    login(client, supplier)
    page = client.get(f"/supplier/lots/{w.lot.id}").get_data(as_text=True)
    assert 'data-testid="download"' in page
    assert "招标文件与答疑" in page  # menu entry
    resp = client.get(f"/supplier/lots/{w.lot.id}/download")
    assert resp.status_code == 200 and resp.data == b"the tender documents"
    assert db.session.execute(select(DocumentDownload.user_id)).scalar_one() == supplier.id
    mine = client.get("/supplier/lots").get_data(as_text=True)
    assert w.lot.name in mine


def test_draft_lot_is_not_shown_to_suppliers(client: Any) -> None:
    w = make_world(status=LotStatus.DRAFT)
    supplier = w.supplier()
    db.session.commit()
    login(client, supplier)
    assert client.get(f"/supplier/lots/{w.lot.id}").status_code == 404


def test_staff_answer_question_page_publishes_the_answer(client: Any) -> None:
    from bidding.documents.questions import ask_question

    w = make_world()
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    q = ask_question(w.lot, supplier, "保证金可否用保函？")
    db.session.commit()
    login(client, w.staff)
    path = f"/staff/lots/{w.lot.id}/questions"
    page = client.get(path).get_data(as_text=True)
    assert "保证金可否用保函？" in page and supplier.organisation.name not in page
    token = csrf_from(client, path)
    resp = client.post(
        f"/staff/questions/{q.id}/answer", data={"csrf_token": token, "answer": "可以。"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert q.published and q.answer == "可以。"
