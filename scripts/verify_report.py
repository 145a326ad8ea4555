#!/usr/bin/env python3
"""Check an exported evaluation report (评标报告) and its signatures, offline.

    python scripts/verify_report.py eval-report-12-v1.json

This is a deliberate standalone copy of `flask eval verify-report` (remote_eval/cli.py):
it imports nothing from the platform, so that a bidder, an auditor or a court can check a
report with Python and pycryptodome alone (`pip install pycryptodome`). The format is in
docs/evaluation-report.md. Exit 0 when the body's SHA-256 and every signature hold,
exit 1 naming what fails.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import sys
from typing import Any

from Crypto.Hash import SHA256
from Crypto.PublicKey import ECC
from Crypto.Signature import DSS

EXPORT_FORMAT = "tenderhall.eval-report-export/1"
BODY_FORMAT = "tenderhall.eval-report/1"
MESSAGE_PREFIX = "tenderhall.eval-report.v1:"


def canonical(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def verify_p256(spki_b64: str, message: bytes, signature_b64: str) -> bool:
    try:
        key = ECC.import_key(base64.b64decode(spki_b64, validate=True))
        signature = base64.b64decode(signature_b64, validate=True)
    except (ValueError, TypeError, IndexError, binascii.Error):
        return False
    if key.has_private() or key.curve not in ("NIST P-256", "p256", "P-256"):
        return False
    encoding = "binary" if len(signature) == 64 else "der"
    try:
        DSS.new(key, "fips-186-3", encoding=encoding).verify(SHA256.new(message), signature)
    except (ValueError, TypeError):
        return False
    return True


def check(doc: dict[str, Any]) -> tuple[list[str], list[str]]:
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
    if canonical(body) != raw:
        bad.append("the body is not in canonical form")
    if body.get("format") != BODY_FORMAT:
        bad.append(f"unknown body format {body.get('format')!r}")
    if not bad:
        ok.append(f"body SHA-256 {digest} matches")
    members = {m["id"]: m for m in body.get("members", []) if isinstance(m, dict)}
    message = (MESSAGE_PREFIX + digest).encode("ascii")
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
    for m in members.values():
        if m.get("active") and m["id"] not in signed | refused:
            ok.append(f"member {m['id']} ({m['seat']} {m.get('name')}) has not signed yet")
    return ok, bad


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0])
        print("usage: verify_report.py FILE")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as fh:
            doc = json.load(fh)
    except (OSError, ValueError) as exc:
        print(f"FAIL {argv[1]}: cannot read a JSON export ({exc})")
        return 1
    ok, bad = check(doc if isinstance(doc, dict) else {})
    for line in ok:
        print(f"ok   {line}")
    for line in bad:
        print(f"FAIL {line}")
    if bad:
        return 1
    print("report verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
