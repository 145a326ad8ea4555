"""Each procurement method's result: tendering publishes its candidates before the award and
speaks of 中标; 竞争性谈判, 竞争性磋商, 询价 and 单一来源 confirm the supplier straight after
the review, without a candidate publicity, and speak of 成交 — in the results page, the
result announcement on the portal, the notices to the suppliers and their PDFs."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.errors import Conflict
from app.core.extensions import db
from app.core.notify import Notification
from app.core.storage import get_store
from bidding import methods
from bidding.models import Announcement, AnnouncementKind, LotStatus, Method
from bidding.results import award, notices, publicity
from bidding.results.models import ResultNotice
from tests.factories import login
from tests.results import world as rw

DEAL_METHODS = (Method.NEGOTIATION, Method.CONSULTATION, Method.INQUIRY, Method.SINGLE_SOURCE)
TENDER_METHODS = (Method.OPEN, Method.INVITED)


@pytest.mark.parametrize(
    ("method", "publicity", "word", "letter"),
    [
        (Method.OPEN, True, "中标", "中标通知书"),
        (Method.INVITED, True, "中标", "中标通知书"),
        (Method.NEGOTIATION, False, "成交", "成交通知书"),
        (Method.CONSULTATION, False, "成交", "成交通知书"),
        (Method.INQUIRY, False, "成交", "成交通知书"),
        (Method.SINGLE_SOURCE, False, "成交", "成交通知书"),
    ],
)
def test_the_registry_says_whether_candidates_are_published_and_the_result_word(
    method: Method, publicity: bool, word: str, letter: str
) -> None:
    rule = methods.rule_for(method)
    assert rule.candidate_publicity is publicity
    assert rule.result_words.word == word and rule.result_words.award_letter == letter
    assert rule.result_words.result_notice == f"{word}结果公告"
    assert methods.kind_word(method, "result") == f"{word}结果公告"
    assert methods.kind_word(method, "tender") == rule.notice_word
    assert methods.kind_word(method, "contract") is None


def _pdf_title(notice: ResultNotice) -> str:
    pdf = get_store().open(notice.pdf_sha256).read()
    return str(PdfFileReader(io.BytesIO(pdf)).trailer["/Info"]["/Title"])


def _main(client: Any, path: str) -> str:
    resp = client.get(path)
    assert resp.status_code == 200, path
    html = resp.get_data(as_text=True)
    return html[html.index("<main") : html.index("</main>")]


def _audited(action: str) -> int:
    return db.session.execute(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    ).scalar_one()


@pytest.mark.parametrize("method", DEAL_METHODS)
def test_a_deal_is_confirmed_after_the_review_without_a_candidate_publicity(
    client: Any, method: Method
) -> None:
    w = rw.build(method=method)
    assert w.lot.status == LotStatus.EVALUATED
    # A candidate publicity is refused with the reason; nothing is written.
    with pytest.raises(Conflict, match="不进行候选人公示"):
        publicity.publish_publicity(w.lot, w.staff)
    db.session.rollback()
    assert db.session.execute(select(Announcement.id)).first() is None
    assert _audited("result.publicity_published") == 0

    clock.set_now(clock.now() + dt.timedelta(hours=2))
    ann = award.confirm_award(w.lot, w.staff)
    db.session.commit()
    assert w.lot.status == LotStatus.AWARDED
    assert ann.title.endswith("成交结果公告")
    assert "成交供应商：" in ann.body and "成交金额：" in ann.body and "中标" not in ann.body
    assert ann.fields["winner"] == w.bidders[0].organisation.name

    rows = db.session.execute(select(ResultNotice).order_by(ResultNotice.id)).scalars().all()
    titles = {n.supplier_id: _pdf_title(n) for n in rows}
    assert titles[w.bidders[0].organisation_id] == "成交通知书"
    assert {titles[b.organisation_id] for b in w.bidders[1:]} == {"成交结果通知书"}
    assert all(n.body["method"] == method.value and notices.check(n) for n in rows)
    inbox = db.session.execute(
        select(Notification.title).where(Notification.user_id == w.bidders[0].id)
    ).scalars()
    assert any(t.startswith("成交通知书：") for t in inbox)


def test_an_inquiry_result_announcement_says_deal_and_an_open_tender_still_says_award(
    client: Any,
) -> None:
    w = rw.build(method=Method.INQUIRY)
    ann = award.confirm_award(w.lot, w.staff)
    db.session.commit()
    page = _main(client, f"/announcements/{ann.id}")
    assert "成交结果公告" in page and "成交供应商" in page and "成交金额" in page
    assert "中标" not in page
    # the portal's list names it so too
    listing = client.get("/announcements?kind=result").get_data(as_text=True)
    assert "成交结果公告" in listing
    # the winner's own results page: its notice is a 成交通知书
    login(client, w.bidders[0])
    mine = _main(client, f"/results/lots/{w.lot.id}/mine")
    assert "成交通知书" in mine and "成交供应商" in mine and "中标" not in mine
    client.get("/logout")

    tender = rw.build(method=Method.OPEN)
    with pytest.raises(Conflict, match="中标候选人公示后定标"):
        award.confirm_award(tender.lot, tender.staff)
    db.session.rollback()
    publicity.publish_publicity(tender.lot, tender.staff)
    db.session.commit()
    clock.set_now(clock.now() + dt.timedelta(days=10))
    result = award.confirm_award(tender.lot, tender.staff)
    db.session.commit()
    page = _main(client, f"/announcements/{result.id}")
    assert "中标结果公告" in page and "中标人" in page and "中标金额" in page
    assert "成交" not in page
    winner = db.session.execute(
        select(ResultNotice).where(
            ResultNotice.lot_id == tender.lot.id,
            ResultNotice.supplier_id == tender.bidders[0].organisation_id,
        )
    ).scalar_one()
    assert _pdf_title(winner) == "中标通知书"


@pytest.mark.parametrize("method", TENDER_METHODS)
def test_tendering_still_needs_its_candidate_publicity(method: Method) -> None:
    w = rw.build(method=method)
    with pytest.raises(Conflict, match="中标候选人公示后定标"):
        award.confirm_award(w.lot, w.staff)
    db.session.rollback()
    assert w.lot.status == LotStatus.EVALUATED
    assert (
        db.session.execute(
            select(Announcement.id).where(Announcement.kind == AnnouncementKind.RESULT)
        ).first()
        is None
    )


def test_a_deal_result_is_due_nine_working_days_after_the_report_and_late_is_flagged(
    app: Any,
) -> None:
    """Report on Wednesday 1 April: 2 + 5 + 2 working days, the 清明 Monday not counted,
    end at 24:00 of Wednesday 15 April; a tender's publicity keeps its 3 days (the last on
    the weekend, then the holiday: 24:00 of Tuesday 7 April)."""
    from app.core.clock import CST
    from app.supervision.rules import clock_publicity
    from app.supervision.rules.registry import Scope

    w = rw.build(method=Method.INQUIRY)
    due = dt.datetime(2026, 4, 16, tzinfo=CST).astimezone(dt.UTC)
    assert w.result.publish_by == due
    tender = rw.build(method=Method.OPEN)
    assert tender.result.publish_by == dt.datetime(2026, 4, 8, tzinfo=CST).astimezone(dt.UTC)
    db.session.commit()
    later = due + dt.timedelta(hours=1)
    findings = {
        f.lot_id: clock_publicity.describe(f.facts) for f in clock_publicity.check(Scope(now=later))
    }
    assert "成交结果公告应在" in findings[w.lot.id]
    assert "中标候选人公示应在" in findings[tender.lot.id]


def test_a_deal_results_page_speaks_of_suppliers_and_quotes_and_a_tender_of_bidders(
    client: Any,
) -> None:
    w = rw.build(method=Method.INQUIRY)
    ann = award.confirm_award(w.lot, w.staff)
    db.session.commit()
    login(client, w.staff)
    staff = _main(client, f"/results/lots/{w.lot.id}")
    assert "<th>供应商</th>" in staff and '<th class="num">报价</th>' in staff
    assert "评审报告完成" in staff
    # (the world's suppliers are called 投标人A/B…: look for the words as headings)
    assert "<th>投标人</th>" not in staff and "投标报价" not in staff and "评标报告" not in staff
    client.get("/logout")
    login(client, w.bidders[0])
    mine = _main(client, f"/results/lots/{w.lot.id}/mine")
    assert "<th>供应商</th>" in mine and "<th>投标人</th>" not in mine and "投标报价" not in mine
    client.get("/logout")
    # the portal's API names the announcement in the method's words too
    api = client.get("/api/v1/announcements?kind=result").get_json()
    labels = {a["id"]: a["kind_label"] for a in api["items"]}
    assert labels[ann.id] == "成交结果公告"

    tender = rw.build(method=Method.OPEN)
    publicity.publish_publicity(tender.lot, tender.staff)
    db.session.commit()
    login(client, tender.staff)
    page = _main(client, f"/results/lots/{tender.lot.id}")
    assert "<th>投标人</th>" in page and '<th class="num">投标报价</th>' in page
    assert "评标报告完成" in page and "评审报告" not in page
