"""`flask demo seed` builds a usable world once, and its accounts log in with the printed secrets."""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy import func, select

from app.audit.service import verify
from app.auth import credit_code
from app.auth.models import Centre, Organisation, OrgKind, Role, User
from app.demo import DEMO_ACCOUNTS, DEMO_EXPERTS, DEMO_PASSWORD
from app.extensions import db
from bidding.models import Lot


def _count(stmt: Any) -> int:
    return db.session.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()


def test_demo_seed_builds_every_stage_once_and_accounts_work(app: Any, client: Any) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert DEMO_PASSWORD in result.output
    db.session.remove()
    assert _count(select(Centre)) == 2
    suppliers = (
        db.session.execute(select(Organisation).where(Organisation.kind == OrgKind.SUPPLIER))
        .scalars()
        .all()
    )
    assert len(suppliers) >= 20
    assert all(credit_code.is_valid(o.credit_code or "") for o in suppliers)
    assert _count(select(User).where(User.role == Role.EXPERT)) == len(DEMO_EXPERTS) >= 60
    statuses = {s.value for s in db.session.execute(select(Lot.status)).scalars()}
    assert {"draft", "published", "closed", "opened", "failed", "evaluating", "awarded"} <= statuses
    assert verify().ok

    again = runner.invoke(args=["demo", "seed", "--if-empty"])
    assert again.exit_code == 0
    assert "skipped" in again.output
    assert _count(select(Centre)) == 2

    supervisor = next(a for a in DEMO_ACCOUNTS if a["role"] == "supervisor")
    code = runner.invoke(args=["users", "totp", supervisor["username"]]).output.strip()
    assert code == pyotp.TOTP(supervisor["totp_secret"]).now()
    resp = client.post(
        "/api/v1/auth/token",
        json={"username": supervisor["username"], "password": DEMO_PASSWORD, "totp": code},
    )
    assert resp.status_code == 201, resp.json
