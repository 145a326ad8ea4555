"""Q&A (答疑): answers are published to every downloader, never naming the asker."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from app.core.notify import Notification
from tests.bidding_docs.world import download, make_world, upload
from tests.factories import login, token_headers


def test_answer_is_published_anonymously_to_every_downloader(client: Any) -> None:
    w = make_world()
    upload(w)
    asker = w.supplier(name="提问人建设有限公司")
    other = w.supplier(name="旁观者建设有限公司")
    download(w, asker)
    download(w, other)
    db.session.commit()
    asked = client.post(
        f"/api/v1/lots/{w.lot.id}/questions",
        json={"text": "第三章技术参数中的混凝土标号是否可以调整？"},
        headers=token_headers(asker),
    )
    assert asked.status_code == 201
    qid = asked.json["id"]
    assert client.get(f"/api/v1/lots/{w.lot.id}/questions", headers=token_headers(other)).json == []

    staff_view = client.get(f"/api/v1/lots/{w.lot.id}/questions", headers=token_headers(w.staff))
    assert "提问人" not in staff_view.get_data(as_text=True)
    assert str(asker.id) not in {str(v) for row in staff_view.json for v in row.values()} - {
        str(qid),
        str(w.lot.id),
    }
    answered = client.post(
        f"/api/v1/questions/{qid}/answer",
        json={"answer": "不可调整，按招标文件执行。"},
        headers=token_headers(w.staff),
    )
    assert answered.status_code == 200 and answered.json["published"] is True

    seen = client.get(f"/api/v1/lots/{w.lot.id}/questions", headers=token_headers(other))
    assert [q["answer"] for q in seen.json] == ["不可调整，按招标文件执行。"]
    assert "提问人" not in seen.get_data(as_text=True)
    notes = db.session.execute(select(Notification)).scalars().all()
    assert {n.user_id for n in notes} == {asker.id, other.id}
    assert all("提问人" not in n.title + n.body for n in notes)

    login(client, other)
    page = client.get(f"/supplier/lots/{w.lot.id}").get_data(as_text=True)
    assert "不可调整，按招标文件执行。" in page
    assert "提问人建设有限公司" not in page


def test_supplier_that_did_not_download_cannot_ask_or_read_answers(client: Any) -> None:
    w = make_world()
    upload(w)
    outsider = w.supplier()
    db.session.commit()
    headers = token_headers(outsider)
    asked = client.post(
        f"/api/v1/lots/{w.lot.id}/questions", json={"text": "请问？"}, headers=headers
    )
    assert asked.status_code == 403
    assert "已下载" in asked.json["message"]
    assert client.get(f"/api/v1/lots/{w.lot.id}/questions", headers=headers).status_code == 403


def test_empty_question_is_refused_with_a_message(client: Any) -> None:
    w = make_world()
    upload(w)
    supplier = w.supplier()
    download(w, supplier)
    db.session.commit()
    resp = client.post(
        f"/api/v1/lots/{w.lot.id}/questions", json={"text": "   "}, headers=token_headers(supplier)
    )
    assert resp.status_code == 422
    assert "不能为空" in resp.json["message"]
