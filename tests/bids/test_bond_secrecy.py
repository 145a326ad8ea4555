"""Before the deadline the agency cannot learn who intends to bid, nor how many.

The crawl walks the whole URL map: every GET route (pages and JSON API) with the lot's ids
filled in, as the agency's staff. No response may carry a supplier's name, credit code or
sub-account number; and every response must be the same whether 3 or 6 suppliers have
downloaded the documents and paid their bonds (so no count leaks either).
"""

from __future__ import annotations

import io
import re
from typing import Any

from flask import Flask

from app.core.extensions import db
from bidding.bids import bank, bonds
from bidding.bids.bond_models import BankArrival, BondRefund, SubAccount
from bidding.bids.models import BidBond
from tests.bids.conftest import DEADLINE, World, centre_officer, make_supplier, statement_csv
from tests.factories import login

# Routes whose GET changes the session rather than showing data.
SKIP_ENDPOINTS = {"static", "auth.logout", "core.set_language"}
NOISE = [
    re.compile(r'name="csrf[-_]token" (?:content|value)="[^"]*"'),
    re.compile(r'value="[^"]*" name="csrf_token"'),
    re.compile(r'nonce="[^"]*"'),
    re.compile(r'"csrf_token": ?"[^"]*"'),
]


def _ids(app: Flask, world: World) -> dict[str, list[Any]]:
    """Every value a URL parameter may take that concerns this lot (and a few beyond it)."""
    from bidding.bids.models import Bid

    lot = world.lot
    models = {
        "bond_id": BidBond,
        "arrival_id": BankArrival,
        "refund_id": BondRefund,
        "bid_id": Bid,
    }
    ids: dict[str, list[Any]] = {
        "lot_id": [lot.id],
        "project_id": [lot.project_id],
        "org_id": [o.id for o in world.orgs],
        "organisation_id": [o.id for o in world.orgs],
        "supplier_id": [o.id for o in world.orgs],
        "user_id": [u.id for u in world.suppliers],
    }
    for name, model in models.items():
        ids[name] = [row.id for row in db.session.query(model).all()] or [1]
    return ids


def _urls(app: Flask, ids: dict[str, list[Any]]) -> list[str]:
    urls: set[str] = set()
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint in SKIP_ENDPOINTS:
                continue
            choices: list[dict[str, Any]] = [{}]
            for arg in sorted(rule.arguments):
                converter = type(rule._converters[arg]).__name__  # noqa: SLF001
                values = ids.get(arg) or ([1, 2] if "Integer" in converter else ["x", "1"])
                choices = [{**c, arg: v} for c in choices for v in values]
            for args in choices[:40]:
                try:
                    urls.add(url_for(rule.endpoint, **args))
                except Exception:  # a converter refusing the value: nothing to crawl
                    continue
    return sorted(urls)


BINARY = {"application/pdf", "application/zip", "application/octet-stream"}


def _crawl(client: Any, urls: list[str]) -> dict[str, tuple[int, str]]:
    seen: dict[str, tuple[int, str]] = {}
    for url in urls:
        resp = client.get(url)
        if resp.mimetype in BINARY:
            # A signed record carries its signing time; none names a bidder (the agency's
            # PDFs are the expert fee sheet and records after the deadline).
            seen[url] = (resp.status_code, resp.mimetype)
            continue
        text = resp.get_data(as_text=True)
        for pattern in NOISE:
            text = pattern.sub("", text)
        seen[url] = (resp.status_code, text)
    return seen


def _secrets(world: World) -> list[str]:
    words = [o.name for o in world.orgs] + [o.credit_code for o in world.orgs if o.credit_code]
    words += [s.number for s in db.session.query(SubAccount).all()]
    words += [a.payer_account for a in db.session.query(BankArrival).all()]
    return words


def _more_bidders(world: World, n: int) -> None:
    """n more suppliers download and pay; one files a guarantee; one payment is held."""
    for _i in range(n):
        user = make_supplier(world.lot, world.staff)
        world.suppliers.append(user)
        world.orgs.append(user.organisation)  # type: ignore[arg-type]
    extra = make_supplier(world.lot, world.staff, bond=False)
    world.orgs.append(extra.organisation)  # type: ignore[arg-type]
    bonds.submit_guarantee(
        world.lot,
        extra,
        amount=world.lot.bid_bond,
        reference="BG-1",
        filename="保函.pdf",
        stream=io.BytesIO(b"%PDF-1.4 letter"),
    )
    held = make_supplier(world.lot, world.staff, bond=False)
    world.orgs.append(held.organisation)  # type: ignore[arg-type]
    sub = bonds.issue_sub_account(world.lot, held)
    bank.import_statement(
        world.lot.project.centre,
        centre_officer(world.lot),
        "s.csv",
        statement_csv(("H-1", sub.number, "1.00", "6222999", "x", "2026-03-03 10:00:00")),
    )
    db.session.commit()


def test_the_agency_learns_neither_names_nor_numbers_of_bidders_before_the_deadline(
    client: Any, app: Flask, world: World
) -> None:
    login(client, world.staff)
    urls = _urls(app, _ids(app, world))
    assert any(u.startswith("/api/v1/") for u in urls) and f"/bonds/lots/{world.lot.id}" in urls
    first = _crawl(client, urls)
    assert sum(1 for code, _t in first.values() if code == 200) > 20  # the crawl reached pages

    _more_bidders(world, 3)
    secrets = _secrets(world)
    urls_after = _urls(app, _ids(app, world))
    second = _crawl(client, urls_after)
    for url, (code, text) in second.items():
        leaked = [w for w in secrets if w in text]
        assert not leaked, f"{url} ({code}) shows {leaked}"
    # The agency's view is the same with 3 or 6 bidders: no count reaches it.
    differ = [u for u in urls if first[u] != second[u]]
    assert not differ, differ

    # The crawl would see a name where one is shown: after the deadline the list opens.
    from app.core import clock

    clock.set_now(DEADLINE)
    page = client.get(f"/bonds/lots/{world.lot.id}").get_data(as_text=True)
    assert world.orgs[0].name in page
    listed = client.get(f"/api/v1/lots/{world.lot.id}/bonds").get_json()
    assert len(listed) == len(db.session.query(BidBond).filter_by(lot_id=world.lot.id).all())
    assert all(row["payer_accounts"] == [] for row in listed)  # never the payers' accounts


def test_another_supplier_learns_nothing_of_the_others_bonds(
    client: Any, app: Flask, world: World
) -> None:
    outsider = make_supplier(world.lot, world.staff, bond=False)
    db.session.commit()
    login(client, outsider)
    secrets = [w for w in _secrets(world) if w != outsider.organisation.name]  # type: ignore[union-attr]
    for url, (code, text) in _crawl(client, _urls(app, _ids(app, world))).items():
        leaked = [w for w in secrets if w in text]
        assert not leaked, f"{url} ({code}) shows {leaked}"
