"""`flask market`: export and verify a random selection's record."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from app.core.extensions import db
from app.market import selection
from app.market.models import Need, SelectionDraw

market_cli = AppGroup("market", help="Intermediary services market.")


def _draw(need_id: int) -> SelectionDraw:
    need = db.session.get(Need, need_id)
    item = selection.draw_of(need) if need is not None else None
    if item is None:
        raise click.ClickException(f"need {need_id} has no random selection")
    return item


@market_cli.command("export-draw")
@click.argument("need_id", type=int)
def export_draw(need_id: int) -> None:
    """Print the self-contained record of a need's random selection (JSON)."""
    click.echo(json.dumps(selection.export_record(_draw(need_id)), ensure_ascii=False, default=str))


@market_cli.command("verify-draw")
@click.argument("need_id", type=int)
def verify_draw(need_id: int) -> None:
    """Re-run a need's random selection from its record; MATCH or MISMATCH."""
    checks = selection.verify(_draw(need_id))
    for name, ok in checks:
        click.echo(f"{'ok ' if ok else 'BAD'} {name}")
    ok = all(passed for _n, passed in checks)
    click.echo("MATCH" if ok else "MISMATCH")
    if not ok:
        sys.exit(1)
