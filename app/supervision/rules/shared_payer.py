"""Bonds of several bidders of one lot paid from one bank account."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core.auth.models import Organisation
from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.registry import Finding, Rule, Scope
from bidding.bids.bond_models import BankArrival, SubAccount


def check(scope: Scope) -> list[Finding]:
    pairs = (
        select(SubAccount.lot_id, BankArrival.payer_account)
        .join(SubAccount, SubAccount.id == BankArrival.sub_account_id)
        .where(scope.lots(SubAccount.lot_id), BankArrival.payer_account != "")
        .group_by(SubAccount.lot_id, BankArrival.payer_account)
        .having(func.count(func.distinct(SubAccount.supplier_id)) >= 2)
    )
    found: list[Finding] = []
    for lot_id, account in db.session.execute(pairs).all():
        scope.tick()
        names = sorted(
            db.session.execute(
                select(Organisation.name)
                .join(SubAccount, SubAccount.supplier_id == Organisation.id)
                .join(BankArrival, BankArrival.sub_account_id == SubAccount.id)
                .where(SubAccount.lot_id == lot_id, BankArrival.payer_account == account)
                .distinct()
            ).scalars()
        )
        found.append(
            Finding(
                subject=f"lot:{lot_id}:payer:{account}",
                lot_id=lot_id,
                level=Level.RED,
                facts={"account": account, "suppliers": names},
            )
        )
    return found


def describe(facts: dict[str, Any]) -> str:
    return _(
        "%(names)s 的投标保证金从同一账户 %(acct)s 缴纳。",
        names="、".join(facts.get("suppliers", [])),
        acct=facts.get("account", ""),
    )


RULE = Rule(
    "collusion.shared_payer",
    _l("保证金同一账户缴纳"),
    "collusion",
    check,
    ("bid_submitted",),
    describe,
)
