"""`flask demo seed` builds a platform in full use, under every rule, exactly once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyotp
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.audit.service import verify
from app.core.auth.models import Organisation, OrgKind
from app.core.extensions import db
from app.demo import CUSTODY_PASSPHRASES, DEMO_ACCOUNTS, DEMO_EXPERTS, DEMO_GUIDE, DEMO_PASSWORD
from bidding.bids.models import (
    Bid,
    BidBond,
    BidStatus,
    LotCustodian,
    LotFreeze,
    Opening,
    OpeningStatus,
)
from bidding.documents.models import DocumentDownload, Objection, Question, TenderDocument
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus, Project
from experts.models import Draw, DrawStatus, Expert, ExpertStatus, Invitation, InvitationState
from remote_eval import report
from remote_eval.models import (
    EvalSession,
    MemberKind,
    MemberStatus,
    Phase,
    ScoringScheme,
    ScoringSchemeVersion,
)


def _count(model: Any, *where: Any) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_demo_seed_shows_every_stage_and_a_second_run_with_if_empty_changes_nothing(
    app: Any, client: Any, tmp_path: Path
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert DEMO_GUIDE[0] in result.output
    db.session.remove()

    kinds = {k for k in db.session.execute(select(Announcement.kind)).scalars()}
    # The demo's prequalification is still taking applications (the stage worth playing),
    # so its result notice is the one kind it does not reach; tests/prequal covers it.
    assert kinds == set(AnnouncementKind) - {AnnouncementKind.PREQUAL_RESULT}
    assert _count(Announcement) >= 60
    moved = [
        a
        for a in db.session.execute(
            select(Announcement).where(Announcement.kind == AnnouncementKind.CLARIFICATION)
        ).scalars()
        if a.fields.get("deadline_moved")
    ]
    assert moved, "a late clarification must move the deadline"
    for word in ("施工", "医疗", "物业"):
        titles = db.session.execute(
            select(Announcement.title).where(Announcement.title.contains(word))
        ).all()
        assert len(titles) >= 3, word

    statuses = {s for s in db.session.execute(select(Lot.status)).scalars()}
    assert statuses == set(LotStatus)
    assert _count(Organisation, Organisation.kind == OrgKind.SUPPLIER) >= 20
    assert _count(Expert) == len(DEMO_EXPERTS) >= 60
    assert _count(Expert, Expert.user_id.is_not(None)) == len(DEMO_EXPERTS)
    assert _count(Expert, Expert.status != ExpertStatus.ACTIVE) >= 2

    closed = db.session.execute(select(Lot).where(Lot.status == LotStatus.CLOSED)).scalar_one()
    freeze = db.session.execute(select(LotFreeze).where(LotFreeze.lot_id == closed.id)).scalar_one()
    assert freeze.bid_count >= 3 and not freeze.failed
    assert _count(Bid, Bid.lot_id == closed.id, Bid.status == BidStatus.SUBMITTED) >= 3
    assert _count(BidBond, BidBond.lot_id == closed.id) >= 3
    assert _count(LotCustodian, LotCustodian.lot_id == closed.id) == 3
    assert len(CUSTODY_PASSPHRASES) == 3
    failed = db.session.execute(select(LotFreeze).where(LotFreeze.failed.is_(True))).scalar_one()
    assert 0 < failed.bid_count < 3

    assert _count(TenderDocument) > 0 and _count(DocumentDownload) > 0
    assert _count(Question, Question.published.is_(True)) >= 1
    assert _count(Objection, Objection.answered_at.is_not(None)) >= 1
    # The statistics' year of history (projects HIS-…) is written as finished rows; the
    # lots played through the services are the others.
    played = Draw.lot_id.in_(
        select(Lot.id)
        .join(Project, Project.id == Lot.project_id)
        .where(Project.code.not_like("HIS-%"))
    )
    assert _count(Draw, played, Draw.status == DrawStatus.REVEALED) == 2  # 政务云, signed lot
    assert _count(Draw, played, Draw.status == DrawStatus.PENDING) == 1
    assert _count(Invitation, Invitation.state == InvitationState.INVITED) >= 1

    _the_evaluation_room_lots(runner, result.output, tmp_path)
    _the_sealed_quote_need_awaits_two_scores(result.output)

    assert verify().ok
    entries = _count(AuditEntry)
    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0 and "skipped" in again.output
    db.session.remove()
    assert _count(AuditEntry) == entries
    assert _count(Announcement) >= 60
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output

    # The printed accounts work: a supervisor gets an API token with the printed TOTP secret.
    supervisor = next(a for a in DEMO_ACCOUNTS if a["role"] == "supervisor")
    code = runner.invoke(args=["users", "totp", supervisor["username"]]).output.strip()
    assert code == pyotp.TOTP(supervisor["totp_secret"]).at(clock.now())
    resp = client.post(
        "/api/v1/auth/token",
        json={"username": supervisor["username"], "password": DEMO_PASSWORD, "totp": code},
    )
    assert resp.status_code == 201, resp.json


def _the_evaluation_room_lots(runner: Any, output: str, tmp_path: Path) -> None:
    """One lot reached the committee's sign-in through a real opening; one has a signed
    report that the offline check accepts."""
    sessions = {s.phase: s for s in db.session.execute(select(EvalSession)).scalars()}
    assert set(sessions) == {Phase.SIGNIN, Phase.DONE, Phase.REVIEW}
    _the_negotiation_in_its_second_round(sessions.pop(Phase.REVIEW), output)
    for phase, session in sessions.items():
        lot = db.session.get(Lot, session.lot_id)
        # The last signature hands the report to the result stages (评标结束).
        stage = LotStatus.EVALUATED if phase == Phase.DONE else LotStatus.EVALUATING
        assert lot is not None and lot.status == stage
        opening = db.session.execute(select(Opening).where(Opening.lot_id == lot.id)).scalar_one()
        assert opening.status == OpeningStatus.PUBLISHED and opening.record_signature
        bids = list(db.session.execute(select(Bid).where(Bid.lot_id == lot.id)).scalars())
        decrypted = [b for b in bids if b.status == BidStatus.DECRYPTED]
        assert len(decrypted) >= 3 and all(b.price_form["total_price"] for b in decrypted)
        scheme = db.session.execute(
            select(ScoringScheme).where(ScoringScheme.lot_id == lot.id)
        ).scalar_one()
        assert scheme.method == "comprehensive" and scheme.frozen_at is not None
        assert scheme.frozen_at < lot.bid_deadline
        version = db.session.execute(
            select(ScoringSchemeVersion).where(ScoringSchemeVersion.scheme_id == scheme.id)
        ).scalar_one()
        assert version.announcement_id is not None
        members = session.members
        assert len(members) == 5
        assert sum(m.kind == MemberKind.PURCHASER_REP for m in members) == 1
        at_main = [m for m in members if m.venue_centre_id == session.main_centre_id]
        away = {m.venue_centre_id for m in members} - {session.main_centre_id}
        assert len(at_main) == 3 and len(away) == 1
        assert all(m.kind == MemberKind.EXPERT for m in members if m not in at_main)

    ready = sessions[Phase.SIGNIN]
    assert all(m.status == MemberStatus.EXPECTED for m in ready.members)
    draw = db.session.execute(
        select(Draw).where(Draw.lot_id == ready.lot_id, Draw.parent_id.is_(None))
    ).scalar_one()
    assert draw.evaluation_at > clock.now(), "a declared conflict can still call a reserve"
    assert (
        _count(
            Invitation, Invitation.root_id == draw.id, Invitation.state == InvitationState.WAITING
        )
        >= 2
    )
    # The guide names the accounts of every seat of the ready room.
    for m in ready.members:
        assert f"{m.user.username}（{m.seat}）" in output
    assert f"/evaluations/{ready.id}" in output

    done = sessions[Phase.DONE]
    rep = report.current_report(done)
    assert rep is not None
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report.export(rep), ensure_ascii=False), encoding="utf-8")
    checked = runner.invoke(args=["eval", "verify-report", str(path)])
    assert checked.exit_code == 0, checked.output
    assert "report verified" in checked.output
    assert checked.output.count("signature valid") == 5


def _the_sealed_quote_need_awaits_two_scores(output: str) -> None:
    """中介超市综合评审: three agencies' sealed quotes opened after the deadline, a
    committee of three of the buyer's purchaser accounts, one of them has scored."""
    from app.core.auth.models import User
    from app.market import sealed_review
    from app.market.models import Need, NeedMethod, NeedStatus
    from app.market.sealed_models import QuoteStatus

    need = db.session.execute(select(Need).where(Need.method == NeedMethod.SEALED)).scalar_one()
    assert need.status == NeedStatus.CLOSED and need.closes_at < clock.now()
    opened = sealed_review.opened_quotes(need)
    assert len(opened) == 3 and all(q.status == QuoteStatus.OPENED for q in opened)
    assert all(q.submitted_at < need.closes_at and q.price for q in opened)
    team = sealed_review.members(need)
    users = [db.session.get(User, m.user_id) for m in team]
    assert len(team) == 3 and {u.organisation_id for u in users} == {need.buyer_org_id}
    assert [u.username for u, m in zip(users, team, strict=True) if m.submitted_at] == [
        "wlcb_buyer1"
    ]
    assert sealed_review.evaluation(need) is None  # two members still to score
    assert need.title in output
    for u in users:
        assert u.username in output


def _the_negotiation_in_its_second_round(session: EvalSession, output: str) -> None:
    """竞争性谈判: the first round's quotes read at once, an amendment, the second round open
    with one quote sealed; the guide names the leader and a supplier still to quote."""
    from bidding.models import Method
    from remote_eval.negotiation import state

    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None and lot.project.method == Method.NEGOTIATION
    first, second = state.rounds(session)
    assert first.closed_at is not None and second.closed_at is None and not second.final
    read = state.quotes_of(first)
    assert len(read) >= 3 and all(q.price is not None for q in read)
    sealed = state.quotes_of(second)
    assert len(sealed) == 1 and sealed[0].price is None
    assert len(state.amendments(session)) == 1
    leader = next(m for m in session.members if m.id == session.leader_id)
    assert f"谈判小组组长 {leader.user.username}" in output
    assert f"/evaluations/{session.id}/negotiation" in output
