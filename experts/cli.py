"""`flask experts …`: seed the classification, export and verify draws, run the sweeps."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from app.core.extensions import db

experts_cli = AppGroup("experts", help="Expert pool and verifiable draws.")


@experts_cli.command("seed-specialties")
def seed_specialties_command() -> None:
    """Insert the shipped 4-level specialty classification (idempotent)."""
    from experts.pool import seed_specialties

    added = seed_specialties()
    db.session.commit()
    click.echo(f"specialties added: {added}")


def _load(draw_id: int):  # noqa: ANN202
    from experts.models import Draw

    item = db.session.get(Draw, draw_id)
    if item is None:
        click.echo(f"draw {draw_id} not found", err=True)
        sys.exit(2)
    return item


@experts_cli.command("export-draw")
@click.argument("draw_id", type=int)
def export_draw_command(draw_id: int) -> None:
    """Print the self-contained draw record (JSON) for scripts/verify_draw.py."""
    from experts.draw_record import export_record

    click.echo(json.dumps(export_record(_load(draw_id)), ensure_ascii=False, indent=2, default=str))


@experts_cli.command("verify-draw")
@click.argument("draw_id", type=int)
def verify_draw_command(draw_id: int) -> None:
    """Recompute a draw from its commitment and revealed seed: MATCH (exit 0) or MISMATCH (exit 1)."""
    from experts.draw_record import verify_in_app

    checks = verify_in_app(_load(draw_id))
    for name, ok in checks:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {name}")
    if all(ok for _n, ok in checks):
        click.echo("MATCH")
        return
    click.echo("MISMATCH")
    sys.exit(1)


@experts_cli.command("sweep")
def sweep_command() -> None:
    """Run the invitation and reveal sweeps once."""
    from experts.jobs import sweep_invitations, sweep_reveal

    stats = sweep_invitations()
    db.session.commit()
    revealed = sweep_reveal()
    db.session.commit()
    click.echo(f"invitations: {stats}")
    click.echo(f"revealed: {revealed}")
