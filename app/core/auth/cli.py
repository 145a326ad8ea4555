"""`flask users …`: account tools for support (and for logging in to the demo)."""

from __future__ import annotations

import click
import pyotp
from flask.cli import AppGroup
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import User
from app.core.extensions import db

users_cli = AppGroup("users", help="User account tools.")


@users_cli.command("totp")
@click.argument("username")
def totp_command(username: str) -> None:
    """Print the current TOTP code of USERNAME (demo and support use)."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.totp_secret:
        raise click.ClickException(f"{username}: no such user or no TOTP secret")
    click.echo(pyotp.TOTP(user.totp_secret).at(clock.now()))
