"""`flask inspections …`: export and verify a campaign's draw."""

from __future__ import annotations

import json
import sys

import click
from flask.cli import AppGroup

from app.core.extensions import db

inspections_cli = AppGroup("inspections", help="Random inspections (双随机、一公开).")


def _load(campaign_id: int):  # noqa: ANN202
    from app.inspections.models import Campaign

    item = db.session.get(Campaign, campaign_id)
    if item is None:
        click.echo(f"campaign {campaign_id} not found", err=True)
        sys.exit(2)
    return item


@inspections_cli.command("export-draw")
@click.argument("campaign_id", type=int)
def export_draw_command(campaign_id: int) -> None:
    """Print the campaign's draw record (JSON) for scripts/verify_draw.py."""
    from app.inspections.draw_record import export_record

    click.echo(json.dumps(export_record(_load(campaign_id)), ensure_ascii=False, indent=2))


@inspections_cli.command("verify-draw")
@click.argument("campaign_id", type=int)
def verify_draw_command(campaign_id: int) -> None:
    """Re-run a campaign's draw and its teams: MATCH (exit 0) or MISMATCH (exit 1)."""
    from app.inspections.draw_record import verify_in_app

    checks = verify_in_app(_load(campaign_id))
    for name, ok in checks:
        click.echo(f"{'ok  ' if ok else 'FAIL'} {name}")
    if all(ok for _n, ok in checks):
        click.echo("MATCH")
        return
    click.echo("MISMATCH")
    sys.exit(1)
