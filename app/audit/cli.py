from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="Audit log tools.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the hash chain; exit 1 naming the first broken entry."""
    from app.audit.service import verify

    result = verify()
    if result.ok:
        click.echo(f"audit log OK: {result.checked} entries verified")
        return
    click.echo(f"audit log BROKEN at entry {result.broken_seq}: {result.reason}", err=True)
    sys.exit(1)
