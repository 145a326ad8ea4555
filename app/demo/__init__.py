"""`flask demo seed`: two centres with calendars, organisations, people and lots in every stage.

Every demo account shares one password and has a fixed TOTP secret (printed, and the
current code is shown by `flask users totp NAME`), so a fresh install can be explored at
once. Lots are created through the bidding, documents, bids and experts services with the
clock set in the past, so their history (notices, downloads, bids, draws, audit entries)
happened under every rule; only the evaluation stages, which no service here reaches,
are set on the lot directly (with an audit entry); the result stages after them (publicity,
objections, award, contract, archive) go through the result services.

The builders share one `World` (context.py): accounts.py and guide.py hold what is
printed, catalogue.py the fixed cast and lot programme, world_*.py build each part.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.core import clock
from app.core.auth.models import Centre
from app.core.extensions import db
from app.demo import world_supervision
from app.demo.accounts import (
    CUSTODY_PASSPHRASES,
    DEMO_ACCOUNTS,
    DEMO_EXPERTS,
    DEMO_PASSWORD,
    demo_totp_secret,
)
from app.demo.catalogue import LOTS, SUPPLIERS
from app.demo.context import World
from app.demo.guide import DEMO_GUIDE, echo_summary
from app.demo.world_credit import build_credit
from app.demo.world_experts import build_expert_pool, run_draws
from app.demo.world_market import build_market
from app.demo.world_methods import build_method_lots, build_prequal_lot
from app.demo.world_people import build_people
from app.demo.world_plans import build_pending_lines, build_purchaser_staff
from app.demo.world_projects import build_lot
from app.demo.world_stats import build_history
from app.demo.world_venues import publish_venues

__all__ = [
    "CUSTODY_PASSPHRASES",
    "DEMO_ACCOUNTS",
    "DEMO_EXPERTS",
    "DEMO_GUIDE",
    "DEMO_PASSWORD",
    "demo_cli",
    "demo_totp_secret",
    "init_app",
    "seed",
]

# A low scrypt cost keeps the seed fast; custody uses the platform default for real lots.
DEMO_SCRYPT_N = 2**12


def init_app(app: Any) -> None:
    app.cli.add_command(demo_cli)


def build(world: World) -> dict[str, int]:
    """Build the whole world, history first, with the clock moved back; return the counts."""
    from flask import current_app

    config = current_app.config
    saved_n = config.get("CUSTODY_SCRYPT_N")
    saved_burst = config.get("SUPERVISION_BURST_SECONDS")
    config["CUSTODY_SCRYPT_N"] = DEMO_SCRYPT_N
    # The seed ends with a sweep over the whole world: no background run of the bid rules
    # (app/supervision/bursts.py) should write beside the builders meanwhile.
    config["SUPERVISION_BURST_SECONDS"] = 0
    # Services build links to pages (url_for) as they notify people.
    ctx = current_app.test_request_context("/", base_url="http://127.0.0.1:5000/")
    ctx.push()
    try:
        # The builders move the clock on through the lots' history; frozen() restores it.
        with clock.frozen(world.real_now - dt.timedelta(days=120)):
            build_people(world)
            build_purchaser_staff(world)
            build_expert_pool(world)
            publish_venues(world)
            for n, spec in enumerate(LOTS, start=1):
                build_lot(world, n, spec)
            run_draws(world)
            build_credit(world)
            history = build_history(world)
            build_market(world)
            world.at(world.real_now - dt.timedelta(days=2))
            build_pending_lines(world)
            build_method_lots(world)
            build_prequal_lot(world)
        # Supervision looks at the finished world at the real time (frozen() has restored it).
        world_supervision.sweep(world)
    finally:
        ctx.pop()
        config["CUSTODY_SCRYPT_N"] = saved_n
        config["SUPERVISION_BURST_SECONDS"] = saved_burst
    return {
        "centres": len(world.centres),
        "suppliers": len(SUPPLIERS),
        "experts": len(DEMO_EXPERTS),
        "lots": len(LOTS),
        "history_lots": history,
        "announcements": world.announcements,
    }


def seed() -> dict[str, int]:
    """Create the demo world in the current transaction (the caller commits)."""
    return build(World.start())


demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when any centre exists.")
def seed_command(if_empty: bool) -> None:
    """Create two centres, organisations, 60+ experts and lots in every stage."""
    exists = db.session.execute(select(func.count()).select_from(Centre)).scalar_one()
    if exists and if_empty:
        click.echo("Database already has data: demo seed skipped.")
        return
    if exists:
        raise click.ClickException("Database already has centres; seed only an empty database.")
    world = World.start()
    counts = build(world)
    db.session.commit()
    echo_summary(counts, world.invited)
