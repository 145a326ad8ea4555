from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="Audit log tools.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Walk the hash chain, Merkle frontier and signed checkpoints; exit 1 at the first fault."""
    from app.core.audit.service import verify

    result = verify()
    if result.ok:
        click.echo(
            f"audit log OK: {result.checked} entries verified, "
            f"{result.checkpoints} checkpoints verified"
        )
        return
    click.echo(f"audit log BROKEN at entry {result.broken_seq}: {result.reason}", err=True)
    sys.exit(1)


@audit_cli.command("checkpoint")
def checkpoint_command() -> None:
    """Sign the current Merkle root (no-op when the log has not grown since the last one)."""
    from app.core.audit.service import checkpoint, current_root
    from app.core.extensions import db

    cp = checkpoint()
    db.session.commit()
    if cp is None:
        size, root = current_root()
        click.echo(f"no new checkpoint: log size {size}, root {root}")
        return
    click.echo(f"checkpoint size {cp.size} root {cp.root} key {cp.key_id}")
