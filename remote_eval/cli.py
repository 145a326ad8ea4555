"""`flask eval …`: commands of the evaluation room.

`verify-report FILE` checks an exported report (the JSON of `GET
/api/v1/evaluations/<id>/report/export`): the body's SHA-256 and every member's signature
against the key the body lists for them. scripts/verify_report.py is the same check with
no platform code, for anyone who does not run the platform.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from app.core.crypto import canonical_json, verify_p256
from remote_eval.report import EXPORT_FORMAT, FORMAT, signed_message

eval_cli = AppGroup("eval", help="Evaluation room commands.")


def check_export(doc: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(what holds, what fails) for an exported report."""
    ok: list[str] = []
    bad: list[str] = []
    if doc.get("format") != EXPORT_FORMAT:
        return ok, [f"not an evaluation report export (format {doc.get('format')!r})"]
    text = doc.get("body")
    if not isinstance(text, str):
        return ok, ["the export has no body text"]
    raw = text.encode("utf-8")
    digest = hashlib.sha256(raw).hexdigest()
    if digest != doc.get("sha256"):
        bad.append(f"body SHA-256 is {digest}, the export says {doc.get('sha256')}")
    try:
        body = json.loads(text)
    except ValueError:
        return ok, [*bad, "the body is not JSON"]
    if canonical_json(body) != raw:
        bad.append("the body is not in canonical form")
    if body.get("format") != FORMAT:
        bad.append(f"unknown body format {body.get('format')!r}")
    if not bad:
        ok.append(f"body SHA-256 {digest} matches")
    members = {m["id"]: m for m in body.get("members", []) if isinstance(m, dict)}
    message = signed_message(digest)
    signed: set[int] = set()
    for sig in doc.get("signatures", []):
        m = members.get(sig.get("member_id"))
        who = f"member {sig.get('member_id')} ({sig.get('seat')} {sig.get('name')})"
        if m is None or not m.get("active"):
            bad.append(f"{who} is not a signing member of this report")
        elif m.get("public_key") != sig.get("public_key"):
            bad.append(f"{who} signed with a key the report does not list for them")
        elif not verify_p256(m["public_key"], message, str(sig.get("signature", ""))):
            bad.append(f"{who}: signature does not verify")
        else:
            ok.append(f"{who}: signature valid (key {m.get('key_id')})")
            signed.add(m["id"])
    refused = {r.get("member_id") for r in doc.get("refusals", [])}
    for r in doc.get("refusals", []):
        ok.append(
            f"member {r.get('member_id')} ({r.get('seat')} {r.get('name')}) refused with a dissent"
        )
    pending = [m for m in members.values() if m.get("active") and m["id"] not in signed | refused]
    for m in pending:
        ok.append(f"member {m['id']} ({m['seat']} {m.get('name')}) has not signed yet")
    return ok, bad


@eval_cli.command("verify-report")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_report(file: Path) -> None:
    """Check an exported evaluation report and its signatures (exit 1 if anything fails)."""
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        click.echo(f"FAIL {file}: not a JSON file ({exc})")
        sys.exit(1)
    ok, bad = check_export(doc if isinstance(doc, dict) else {})
    for line in ok:
        click.echo(f"ok   {line}")
    for line in bad:
        click.echo(f"FAIL {line}")
    if bad:
        sys.exit(1)
    click.echo("report verified")
