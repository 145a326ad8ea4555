"""`flask archive build LOT` and `flask archive verify FILE`."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import or_, select

from app.archive.build import build_archive, path_of
from app.archive.verify import verify_package
from app.core.crypto import platform_public_key
from app.core.errors import DomainError
from app.core.extensions import db
from bidding.models import Lot

archive_cli = AppGroup("archive", help="Project archives (项目档案).")


@archive_cli.command("build")
@click.argument("lot")
@click.option("--out", type=click.Path(dir_okay=False), help="Also copy the package here.")
def build_command(lot: str, out: str | None) -> None:
    """Build the archive package of LOT (its code or id)."""
    found = db.session.execute(
        select(Lot).where(or_(Lot.code == lot, Lot.id == (int(lot) if lot.isdigit() else -1)))
    ).scalar_one_or_none()
    if found is None:
        raise click.ClickException(f"no lot {lot!r}")
    try:
        row = build_archive(found, None)
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    path = path_of(row)
    if out:
        shutil.copyfile(path, out)
        path = out
    click.echo(f"{path}\n{row.files} files, {row.size} bytes, sha256 {row.sha256}")


@archive_cli.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--key",
    type=click.Path(exists=True, dir_okay=False),
    help="Public key PEM (default: this platform's key).",
)
def verify_command(file: str, key: str | None) -> None:
    """Check a package: the manifest's signature, every file, the audit proofs."""
    pem = Path(key).read_text(encoding="ascii") if key else platform_public_key().pem
    ok, message, _n = verify_package(file, pem)
    click.echo(message)
    if not ok:
        raise SystemExit(1)
