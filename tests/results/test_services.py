"""The result stages as services: hand-off, publicity, objections, challenges and
complaints with their windows (clock moved to each edge), the award, notices, contract."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.clock import CST
from app.core.errors import Conflict, Forbidden, TooEarly, TooLate, ValidationError
from app.core.extensions import db
from app.core.notify import Notification
from app.core.storage import get_store
from bidding import hooks
from bidding.models import Announcement, AnnouncementKind, LotStatus
from bidding.results import award, contracts, filings, notices, publicity
from bidding.results.models import FilingKind, FilingStatus, NoticeKind
from tests.results import world as rw
from tests.results.world import ResultWorld


def cst(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CST).astimezone(dt.UTC)


@pytest.fixture
def w() -> ResultWorld:
    return rw.build()


def published(w: ResultWorld) -> ResultWorld:
    clock.set_now(cst(2026, 4, 1, 10, 0))
    publicity.publish_publicity(w.lot, w.staff)
    db.session.commit()
    return w


def awarded(w: ResultWorld) -> ResultWorld:
    published(w)
    clock.set_now(cst(2026, 4, 8, 10, 0))  # the publicity ended at 24:00 of 7 April
    award.confirm_award(w.lot, w.staff)
    db.session.commit()
    return w


def test_handoff_moves_the_lot_to_evaluated_and_tells_the_agency(w: ResultWorld) -> None:
    assert w.lot.status == LotStatus.EVALUATED
    # within 3 days of the report (Wednesday 1 April): the last day, Saturday 4 April, is a
    # rest day and so are the 5th (Sunday) and the 6th (清明), so it moves to Tuesday 7
    # April and the window ends at its 24:00, Beijing time (民法典 art. 203)
    assert w.result.publish_by == cst(2026, 4, 8, 0, 0)
    note = db.session.execute(
        select(Notification).where(Notification.user_id == w.staff.id)
    ).scalar_one()
    assert "2026-04-08 00:00" in note.body
    entry = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "lot.evaluated").order_by(AuditEntry.seq)
    ).scalar_one()
    assert w.result.report_sha256 in entry.data


def test_publicity_rules(w: ResultWorld) -> None:
    with pytest.raises(Forbidden):
        publicity.publish_publicity(w.lot, w.supervisor)
    with pytest.raises(ValidationError, match="不得少于 3 日"):
        publicity.publish_publicity(w.lot, w.staff, days=2)
    clock.set_now(cst(2026, 4, 1, 10, 0))
    ann = publicity.publish_publicity(w.lot, w.staff)
    db.session.commit()
    assert w.lot.status == LotStatus.PUBLICITY and ann.kind == AnnouncementKind.CANDIDATES
    assert w.result.publicity_end == cst(2026, 4, 8, 0, 0)  # 3 days, moved past 清明
    assert [c["rank"] for c in ann.fields["candidates"]] == [1, 2, 3]
    for text in ("第1名：投标人A有限公司", "评审得分 92.50", "报价低于成本", "异议"):
        assert text in ann.body
    with pytest.raises(Conflict):
        publicity.publish_publicity(w.lot, w.staff)


def test_publicity_after_its_window_is_flagged_to_the_supervisors(w: ResultWorld) -> None:
    clock.set_now(cst(2026, 4, 8, 0, 0, 1))  # the first second after the window
    publicity.publish_publicity(w.lot, w.staff)
    db.session.commit()
    flagged = db.session.execute(
        select(Notification).where(
            Notification.user_id == w.supervisor.id, Notification.kind == "result_late"
        )
    ).scalar_one()
    assert "逾期" in flagged.title
    assert not db.session.execute(
        select(Notification).where(Notification.user_id == w.other_supervisor.id)
    ).first()


def test_objection_window_and_who_may_file(w: ResultWorld) -> None:
    a, b = w.bidders[0], w.bidders[1]
    with pytest.raises(Conflict, match="尚未发布"):
        filings.file_filing(w.lot, b, "objection", "排名有误")
    published(w)
    with pytest.raises(Forbidden):
        filings.file_filing(w.lot, w.outsider, "objection", "我也有意见")
    with pytest.raises(ValidationError):
        filings.file_filing(w.lot, b, "objection", "   ")
    clock.set_now(cst(2026, 4, 7, 23, 59, 59))  # the publicity's last second
    first = filings.file_filing(
        w.lot, b, "objection", "技术分计算有误", attachments=[("证明.pdf", rw.pdf_file())]
    )
    db.session.commit()
    assert first.due_at == cst(2026, 4, 11, 0, 0)  # 3 days from 7 April: Friday the 10th
    assert get_store().exists(first.attachments[0]["sha256"])
    clock.set_now(cst(2026, 4, 8, 0, 0, 1))
    with pytest.raises(TooLate, match="2026-04-08 00:00") as late:
        filings.file_filing(w.lot, a, "objection", "晚了")
    assert late.value.details["closed_at"] == cst(2026, 4, 8, 0, 0).isoformat()
    # a bidder sees its own filings only; staff and the centre's supervisors see all
    assert filings.filings_for(w.lot, a) == []
    assert filings.filings_for(w.lot, b) == [first]
    assert filings.filings_for(w.lot, w.supervisor) == [first]
    assert filings.filings_for(w.lot, w.other_supervisor) == []
    with pytest.raises(Forbidden):
        filings.get_filing(first.id, a)


def test_an_objection_suspends_the_award_until_answered(w: ResultWorld) -> None:
    published(w)
    b = w.bidders[1]
    clock.set_now(cst(2026, 4, 2, 9, 0))
    obj = filings.file_filing(w.lot, b, FilingKind.OBJECTION, "技术分计算有误")
    db.session.commit()
    # 3 days from 2 April end on Sunday the 5th; 清明 on the 6th: due 24:00 of 7 April
    assert obj.due_at == cst(2026, 4, 8, 0, 0)
    with pytest.raises(TooEarly, match="公示期"):
        award.confirm_award(w.lot, w.staff)
    clock.set_now(cst(2026, 4, 8, 0, 0, 1))
    with pytest.raises(Conflict, match="1 件异议"):
        award.confirm_award(w.lot, w.staff)
    with pytest.raises(Forbidden):
        filings.answer_filing(obj, w.supervisor, "答复")
    filings.answer_filing(obj, w.staff, "经复核，技术分计算无误。")
    db.session.commit()
    assert obj.status == FilingStatus.ANSWERED
    seen = db.session.execute(
        select(Notification).where(
            Notification.user_id == b.id, Notification.kind == "result_filing_answered"
        )
    ).scalar_one()
    assert seen.body == "经复核，技术分计算无误。"
    with pytest.raises(Conflict):
        filings.answer_filing(obj, w.staff, "again")
    award.confirm_award(w.lot, w.staff)
    assert w.lot.status == LotStatus.AWARDED


def test_award_passes_over_only_with_a_lawful_reason_and_calls_the_hook(w: ResultWorld) -> None:
    published(w)
    clock.set_now(cst(2026, 4, 6, 10, 0))  # 清明: the publicity runs on to 24:00 of 7 April
    with pytest.raises(TooEarly, match="公示期"):
        award.confirm_award(w.lot, w.staff)
    clock.set_now(cst(2026, 4, 8, 10, 0))
    with pytest.raises(ValidationError, match="排名第 1"):
        award.confirm_award(w.lot, w.staff, rank=2)
    with pytest.raises(ValidationError, match="排名第 1"):
        award.confirm_award(w.lot, w.staff, rank=2, passed_over=[{"rank": 1, "reason": "whim"}])
    seen: list[Any] = []

    def hook(lot: Any, user: Any, at: dt.datetime) -> None:
        seen.append((lot.id, user.id, at, lot.status))

    hooks.register_lot_awarded(hook)
    try:
        ann = award.confirm_award(
            w.lot,
            w.staff,
            rank=2,
            passed_over=[{"rank": 1, "reason": "gave_up", "note": "书面放弃"}],
        )
    finally:
        hooks._awarded.remove(hook)
    db.session.commit()
    assert seen == [(w.lot.id, w.staff.id, clock.now(), LotStatus.AWARDED)]
    assert ann.kind == AnnouncementKind.RESULT and "投标人B有限公司" in ann.body
    assert "放弃中标" in ann.body
    assert w.result.winner_supplier_id == w.bidders[1].organisation_id
    assert w.result.contract_due == cst(2026, 5, 9, 0, 0)  # 30 days after 8 April
    rows = award.notices_for(w.lot, w.staff, all_=True)
    kinds = {n.supplier_id: n.kind for n in rows}
    assert kinds[w.bidders[1].organisation_id] == NoticeKind.AWARD
    assert sorted(kinds.values()).count(NoticeKind.RESULT) == 3
    mine = award.notices_for(w.lot, w.bidders[0], all_=False)
    assert [n.supplier_id for n in mine] == [w.bidders[0].organisation_id]
    # the notice verifies offline against its PDF, and fails with one byte changed
    pdf = get_store().open(mine[0].pdf_sha256).read()
    assert notices.check(mine[0], pdf)
    assert not notices.check(mine[0], pdf[:-1] + bytes([pdf[-1] ^ 1]))
    mine[0].body = {**mine[0].body, "winner": "别人"}
    assert not notices.check(mine[0])


def test_challenge_and_complaint_windows_in_working_days(w: ResultWorld) -> None:
    b = w.bidders[1]
    published(w)
    with pytest.raises(Conflict, match="结果公告发布后"):
        filings.file_filing(w.lot, b, "challenge", "质疑")
    clock.set_now(cst(2026, 4, 8, 10, 0))  # a Wednesday, after 清明 (Monday 6 April)
    award.confirm_award(w.lot, w.staff)
    db.session.commit()
    # 7 working days: 9–10 and 13–17 April → until 24:00 of 17 April
    clock.set_now(cst(2026, 4, 18, 0, 0, 1))
    with pytest.raises(TooLate, match="2026-04-18 00:00"):
        filings.file_filing(w.lot, b, "challenge", "质疑")
    clock.set_now(cst(2026, 4, 17, 23, 59))
    ch = filings.file_filing(w.lot, b, "challenge", "中标人业绩造假")
    db.session.commit()
    assert ch.due_at == cst(2026, 4, 29, 0, 0)  # 7 working days after Friday 17 April
    with pytest.raises(Conflict, match="答复期内"):
        filings.file_filing(w.lot, b, "complaint", "投诉", follows=ch)
    with pytest.raises(ValidationError):
        filings.file_filing(w.lot, w.bidders[2], "complaint", "投诉", follows=ch)
    clock.set_now(cst(2026, 4, 20, 9, 0))
    filings.answer_filing(ch, w.staff, "业绩材料经核实真实。")
    db.session.commit()
    # 15 working days after 20 April (1, 4, 5 May are holidays only if the centre says so)
    clock.set_now(cst(2026, 5, 12, 0, 0, 1))
    with pytest.raises(TooLate):
        filings.file_filing(w.lot, b, "complaint", "投诉", follows=ch)
    clock.set_now(cst(2026, 5, 11, 23, 0))
    complaint = filings.file_filing(w.lot, b, "complaint", "对答复不满意", follows=ch)
    db.session.commit()
    with pytest.raises(Forbidden):
        filings.answer_filing(complaint, w.staff, "驳回")
    with pytest.raises(Forbidden):
        filings.answer_filing(complaint, w.other_supervisor, "驳回")
    filings.answer_filing(complaint, w.supervisor, "投诉缺乏事实依据，驳回。")
    db.session.commit()
    assert complaint.status == FilingStatus.ANSWERED


def test_tendering_law_lots_take_no_challenge(app: Any) -> None:
    from bidding.models import Method

    w = rw.build(category="A01", method=Method.OPEN)
    awarded(w)
    with pytest.raises(Conflict, match="招标投标法"):
        filings.file_filing(w.lot, w.bidders[1], "challenge", "质疑")


def test_sweep_reminds_then_flags_lateness_once(w: ResultWorld) -> None:
    published(w)
    clock.set_now(cst(2026, 4, 2, 9, 0))
    obj = filings.file_filing(w.lot, w.bidders[1], "objection", "有异议")
    db.session.commit()
    assert filings.sweep() == {"reminded": 0, "late": 0}
    # 3 days from 2 April end on Sunday the 5th, 清明 is the 6th: due 24:00 of 7 April
    clock.set_now(cst(2026, 4, 5, 9, 0))
    assert filings.sweep() == {"reminded": 0, "late": 0}
    clock.set_now(cst(2026, 4, 7, 9, 0))  # within a day
    assert filings.sweep() == {"reminded": 1, "late": 0}
    assert filings.sweep() == {"reminded": 0, "late": 0}
    clock.set_now(cst(2026, 4, 8, 0, 0, 1))
    assert filings.sweep() == {"reminded": 0, "late": 1}
    assert filings.sweep() == {"reminded": 0, "late": 0}
    db.session.commit()
    assert obj.late_flagged_at is not None
    flagged = db.session.execute(
        select(Notification).where(
            Notification.user_id == w.supervisor.id, Notification.kind == "result_filing_late"
        )
    ).scalar_one()
    assert "逾期" in flagged.title


def _contract(w: ResultWorld, **over: Any) -> Any:
    args: dict[str, Any] = {
        "number": "HT-2026-001",
        "lot_code": w.lot.code,
        "supplier_id": w.result.winner_supplier_id,
        "price": "880000.00",
        "signed_on": "2026-04-10",
        "filename": "合同.pdf",
        "stream": rw.pdf_file(),
    }
    args.update(over)
    return contracts.file_contract(w.lot, over.pop("user", w.purchaser_staff), **args)


def test_contract_is_checked_against_the_award(w: ResultWorld) -> None:
    awarded(w)
    clock.set_now(cst(2026, 4, 12, 9, 0))
    with pytest.raises(Forbidden):
        contracts.file_contract(
            w.lot,
            w.bidders[0],
            number="x",
            lot_code=w.lot.code,
            supplier_id=1,
            price="1",
            signed_on="2026-04-10",
            filename="a.pdf",
            stream=rw.pdf_file(),
        )
    with pytest.raises(ValidationError, match="880,000.00|880000"):
        _contract(w, price="880000.01")
    with pytest.raises(ValidationError, match="中标人"):
        _contract(w, supplier_id=w.bidders[1].organisation_id)
    with pytest.raises(ValidationError, match="不符"):
        _contract(w, lot_code="OTHER-01")
    with pytest.raises(ValidationError, match="签订日期"):
        _contract(w, signed_on="2026-04-01")
    assert contracts.contracts_of(w.lot) == []
    seen: list[Any] = []
    hooks.register_contract_signed(lambda lot, user, at: seen.append(lot.status))
    try:
        c = _contract(w)
    finally:
        hooks._contract_signed.clear()
    db.session.commit()
    assert seen == [LotStatus.CONTRACTED] and w.lot.status == LotStatus.CONTRACTED
    ann = db.session.get(Announcement, c.announcement_id)
    assert ann is not None and ann.kind == AnnouncementKind.CONTRACT and "HT-2026-001" in ann.body
    with pytest.raises(ValidationError, match="百分之一百一十"):
        contracts.amend_contract(
            w.lot,
            w.staff,
            reason="增加数量",
            price="968000.01",
            signed_on="2026-04-12",
            filename="补充协议.pdf",
            stream=rw.pdf_file("b"),
        )
    amended = contracts.amend_contract(
        w.lot,
        w.staff,
        reason="增加 10 套灯具",
        price="968000.00",
        signed_on="2026-04-12",
        filename="补充协议.pdf",
        stream=rw.pdf_file("b"),
    )
    db.session.commit()
    assert amended.amends_id == c.id
    newer = db.session.get(Announcement, amended.announcement_id)
    assert newer is not None and newer.supersedes_id == ann.id


def test_contract_after_its_deadline_is_refused_with_the_date(w: ResultWorld) -> None:
    awarded(w)  # 8 April → due 24:00 of Friday 8 May
    clock.set_now(cst(2026, 5, 9, 0, 0, 1))
    with pytest.raises(TooLate, match="2026-05-09 00:00"):
        _contract(w)
    clock.set_now(cst(2026, 5, 8, 23, 59))
    _contract(w)


@pytest.mark.parametrize(
    ("filed", "late"),
    [((2026, 4, 14, 23, 59), False), ((2026, 4, 15, 0, 0, 1), True)],
)
def test_a_contract_filed_after_its_announcement_period_is_flagged_and_still_filed(
    w: ResultWorld, filed: tuple[int, ...], late: bool
) -> None:
    """Signed on Friday 10 April: announced within 2 working days, by 24:00 of Tuesday 14."""
    awarded(w)
    clock.set_now(cst(*filed))
    c = _contract(w)  # signed_on 2026-04-10
    db.session.commit()
    assert contracts.notice_due(w.lot, c) == cst(2026, 4, 15)
    assert w.lot.status == LotStatus.CONTRACTED and c.announcement_id is not None
    flagged = db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "contract.notice_late")
    ).scalars()
    told = db.session.execute(
        select(Notification).where(
            Notification.user_id == w.supervisor.id, Notification.title.contains("合同公告逾期")
        )
    ).scalars()
    assert bool(list(flagged)) is late and bool(list(told)) is late
    from bidding.results.queries import result_view

    (row,) = result_view(w.lot, w.staff)["contracts"]
    assert row["notice_late"] is late


def test_tendering_law_contracts_have_no_announcement_period(app: Any) -> None:
    from bidding.models import Method

    w = rw.build(category="A01", method=Method.OPEN)
    assert contracts.notice_due(w.lot, _unsaved_contract(w)) is None


def _unsaved_contract(w: ResultWorld) -> Any:
    from bidding.results.models import Contract

    return Contract(lot_id=w.lot.id, signed_on=dt.date(2026, 4, 10))


def test_the_sweep_flags_an_unpublished_publicity_and_an_unfiled_contract(w: ResultWorld) -> None:
    from bidding.results import jobs

    clock.set_now(cst(2026, 4, 7, 23, 59))  # the publicity may still go out today
    assert jobs.filings_sweep()["publicity"] == 0
    clock.set_now(cst(2026, 4, 8, 0, 0, 1))
    assert jobs.filings_sweep()["publicity"] == 1
    assert jobs.filings_sweep()["publicity"] == 0  # once
    db.session.commit()
    # published 8 April: 3 days end on Saturday the 11th → Monday 13 April
    publicity.publish_publicity(w.lot, w.staff)
    clock.set_now(cst(2026, 4, 14, 10, 0))
    award.confirm_award(w.lot, w.staff)  # contract due 24:00 of Thursday 14 May
    db.session.commit()
    clock.set_now(cst(2026, 5, 14, 23, 0))
    assert jobs.filings_sweep()["contract"] == 0
    clock.set_now(cst(2026, 5, 15, 0, 0, 1))
    assert jobs.filings_sweep()["contract"] == 1
    assert jobs.filings_sweep()["contract"] == 0
    db.session.commit()
    titles = [
        n.title
        for n in db.session.execute(
            select(Notification).where(
                Notification.user_id == w.supervisor.id, Notification.kind == "result_late"
            )
        ).scalars()
    ]
    assert any("公示逾期未发布" in t for t in titles) and any("合同逾期未备案" in t for t in titles)
    assert db.session.execute(
        select(AuditEntry).where(AuditEntry.action == "contract.overdue").order_by(AuditEntry.seq)
    ).scalar_one()
