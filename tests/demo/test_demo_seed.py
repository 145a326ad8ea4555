"""`flask demo seed` builds a platform in full use, under every rule, exactly once."""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy import func, select

from app.core import clock
from app.core.audit.models import AuditEntry
from app.core.audit.service import verify
from app.core.auth.models import Organisation, OrgKind
from app.core.extensions import db
from app.demo import CUSTODY_PASSPHRASES, DEMO_ACCOUNTS, DEMO_EXPERTS, DEMO_GUIDE, DEMO_PASSWORD
from bidding.bids.models import Bid, BidBond, BidStatus, LotCustodian, LotFreeze
from bidding.documents.models import DocumentDownload, Objection, Question, TenderDocument
from bidding.models import Announcement, AnnouncementKind, Lot, LotStatus
from experts.models import Draw, DrawStatus, Expert, ExpertStatus, Invitation, InvitationState


def _count(model: Any, *where: Any) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_demo_seed_shows_every_stage_and_a_second_run_with_if_empty_changes_nothing(
    app: Any, client: Any
) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert DEMO_GUIDE[0] in result.output
    db.session.remove()

    kinds = {k for k in db.session.execute(select(Announcement.kind)).scalars()}
    assert kinds == set(AnnouncementKind)
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
    assert _count(Draw, Draw.status == DrawStatus.REVEALED) == 1
    assert _count(Draw, Draw.status == DrawStatus.PENDING) == 1
    assert _count(Invitation, Invitation.state == InvitationState.INVITED) >= 1

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
