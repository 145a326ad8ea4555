"""Bid files in the evaluation room: only this committee's members, only while the
evaluation is open, PDFs inline and streamed by ranges, every opening audited."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlalchemy import select

from app.core.audit.models import AuditEntry
from app.core.extensions import db
from app.core.storage import get_store
from remote_eval import actions
from remote_eval.models import Phase
from tests.factories import login, token_headers
from tests.remote_eval.committee_world import active, build, commit_everyone, sign_everyone_in
from tests.remote_eval.review_world import ReviewWorld, build_world

PDF = b"%PDF-1.4\n" + b"% technical bid, page after page\n" * 4000 + b"%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"


def _keep_files(bid: Any, files: list[tuple[str, bytes]]) -> None:
    """The bid as the opening leaves it: its files kept under their hashes."""
    entries = []
    for name, body in files:
        sha, size = get_store().put_bytes(body)
        # the content type is the bidder's word, deliberately misleading here
        entries.append(
            {"name": name, "size": size, "sha256": sha, "content_type": "text/html", "author": ""}
        )
    bid.plaintext_files = entries
    db.session.commit()


def _world() -> ReviewWorld:
    w = build_world("comprehensive", ["800000.00", "900000.00", "950000.00"])
    _keep_files(w.bids[0], [('技术标 "v2".pdf', PDF), ("报价说明.html", HTML)])
    return w


def _url(w: ReviewWorld, index: int = 0, bid: int = 0) -> str:
    return f"/api/v1/evaluations/{w.session.id}/bids/{w.bids[bid].id}/files/{index}"


def _openings(bid_id: int) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AuditEntry).where(
            AuditEntry.action == actions.BID_FILE_OPENED, AuditEntry.object_id == str(bid_id)
        )
    ).scalars()
    return [{"actor": e.actor_id, **json.loads(e.data)} for e in rows]


def _refusals(command: str) -> list[dict[str, Any]]:
    rows = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == actions.REFUSED).order_by(AuditEntry.seq)
    ).scalars()
    return [d for e in rows if (d := json.loads(e.data))["command"] == command]


def test_a_member_reads_a_pdf_inline_by_ranges_and_each_opening_is_audited(
    client: Any, app: Any
) -> None:
    w = _world()
    member = w.members[1]
    h = token_headers(member.user)
    whole = client.get(_url(w), headers=h)
    assert whole.status_code == 200
    assert whole.mimetype == "application/pdf"
    disposition = whole.headers["Content-Disposition"]
    assert disposition.startswith("inline") and '"v2"' not in disposition
    assert "filename*=UTF-8''" in disposition
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Cache-Control"] == "private, no-store"
    assert whole.data == PDF
    sha = hashlib.sha256(PDF).hexdigest()
    assert whole.headers["ETag"].strip('"') == sha
    (opening,) = _openings(w.bids[0].id)
    assert opening["actor"] == member.user_id and opening["member_id"] == member.id
    assert opening["file"] == '技术标 "v2".pdf' and opening["sha256"] == sha
    assert opening["supplier"] == w.bids[0].supplier.name

    # The viewer fetches the rest by ranges: served 206, the same opening.
    part = client.get(_url(w), headers={**h, "Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.data == PDF[1000:2000]
    assert part.headers["Content-Range"] == f"bytes 1000-1999/{len(PDF)}"
    assert len(_openings(w.bids[0].id)) == 1
    # A request for the start of the file is a new opening; a revalidation reads nothing.
    head = client.get(_url(w), headers={**h, "Range": "bytes=0-99"})
    assert head.status_code == 206 and head.data == PDF[:100]
    assert len(_openings(w.bids[0].id)) == 2
    same = client.get(_url(w), headers={**h, "If-None-Match": f'"{sha}"'})
    assert same.status_code == 304
    assert len(_openings(w.bids[0].id)) == 2


def test_anything_but_a_pdf_is_a_download_whatever_the_bidder_declared(
    client: Any, app: Any
) -> None:
    w = _world()
    resp = client.get(_url(w, 1), headers=token_headers(w.members[0].user))
    assert resp.status_code == 200
    assert resp.mimetype == "application/octet-stream"
    assert resp.headers["Content-Disposition"].startswith("attachment")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_only_members_while_the_evaluation_is_open(client: Any, app: Any) -> None:
    w = _world()
    supplier = w.bidders[0]
    for user, why in (
        (w.outsider, "不是本项目评标委员会的成员"),
        (w.supervisor, "不是本项目评标委员会的成员"),
        (w.host, "不是本项目评标委员会的成员"),
        (supplier, "不是本项目评标委员会的成员"),
    ):
        resp = client.get(_url(w), headers=token_headers(user))
        assert resp.status_code == 403, user.role
        assert why in resp.get_json()["message"]
    assert len(_refusals("bid_file")) == 4
    assert _openings(w.bids[0].id) == []
    w.session.phase = Phase.DONE
    db.session.commit()
    done = client.get(_url(w), headers=token_headers(w.members[0].user))
    assert done.status_code == 403 and "评标已经结束" in done.get_json()["message"]
    assert len(_refusals("bid_file")) == 5
    # The page route answers in the member's language on an error page.
    login(client, w.members[0].user)
    page = client.get(f"/evaluations/{w.session.id}/bids/{w.bids[0].id}/files/0")
    assert page.status_code == 403 and "评标已经结束" in page.get_data(as_text=True)
    assert _openings(w.bids[0].id) == []


def test_a_member_before_the_evaluation_starts_is_refused(client: Any, app: Any) -> None:
    cw = build()
    _keep_files(cw.bids[0], [("技术标.pdf", PDF)])
    session = cw.form()
    sign_everyone_in(cw, session)
    member = active(session)[0]
    url = f"/api/v1/evaluations/{session.id}/bids/{cw.bids[0].id}/files/0"
    early = client.get(url, headers=token_headers(member.user))
    assert early.status_code == 403
    assert "签署承诺书" in early.get_json()["message"]
    from remote_eval import committee, hosting

    hosting.advance(session, cw.host)
    committee.sign_commitment(member, member.user, False)
    db.session.commit()
    waiting = client.get(url, headers=token_headers(member.user))
    assert waiting.status_code == 403
    assert "评标开始（推选组长）后" in waiting.get_json()["message"]
    commit_everyone(session)
    hosting.advance(session, cw.host)
    db.session.commit()
    assert session.phase == Phase.ELECTION
    ok = client.get(url, headers=token_headers(member.user))
    assert ok.status_code == 200 and ok.data == PDF


def test_unknown_files_and_files_not_kept(client: Any, app: Any) -> None:
    w = _world()
    h = token_headers(w.members[0].user)
    assert client.get(_url(w, 5), headers=h).status_code == 404
    w.bids[1].plaintext_files = [
        {"name": "旧标.pdf", "size": 10, "sha256": "ab" * 32, "content_type": "application/pdf"}
    ]
    db.session.commit()
    gone = client.get(_url(w, 0, 1), headers=h)
    assert gone.status_code == 409 and "哈希" in gone.get_json()["message"]


def test_the_listing_shows_the_opening_prices_and_links_only_for_members(
    client: Any, app: Any
) -> None:
    w = _world()
    url = f"/api/v1/evaluations/{w.session.id}/bids"
    mine = client.get(url, headers=token_headers(w.members[0].user)).get_json()
    assert mine["may_read"] is True
    first = mine["bidders"][0]
    assert first["total_price"] == "800000.00"
    assert {"key": "total_price", "label": "投标总价", "value": "800000.00"} in first["price_form"]
    assert first["files"][0]["url"].endswith(f"/bids/{w.bids[0].id}/files/0")
    assert first["files"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    watched = client.get(url, headers=token_headers(w.supervisor)).get_json()
    assert watched["may_read"] is False
    assert all(f["url"] is None for b in watched["bidders"] for f in b["files"])
    assert client.get(url, headers=token_headers(w.outsider)).status_code == 403


def test_the_room_page_lists_each_bidders_price_form_and_files(client: Any, app: Any) -> None:
    w = _world()
    login(client, w.members[0].user)
    html = client.get(f"/evaluations/{w.session.id}").get_data(as_text=True)
    assert 'data-testid="bid-files"' in html
    assert f'data-testid="price-form-{w.bids[0].id}"' in html
    assert "800,000.00 元" in html and "合格" in html
    assert f'href="/evaluations/{w.session.id}/bids/{w.bids[0].id}/files/0"' in html
    assert hashlib.sha256(PDF).hexdigest() in html
    client.get("/logout")
    login(client, w.supervisor)
    html = client.get(f"/evaluations/{w.session.id}").get_data(as_text=True)
    assert 'data-testid="bid-files"' in html
    assert f"/bids/{w.bids[0].id}/files/0" not in html
