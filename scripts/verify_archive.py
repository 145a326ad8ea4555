#!/usr/bin/env python3
"""Check a project archive (项目档案) offline, without the platform.

    python scripts/verify_archive.py ARCHIVE.zip --key platform-ed25519.pub.pem

This is a deliberate standalone copy of `flask archive verify` (app/archive/verify.py): it
imports nothing from the platform, so that an auditor or a court can check a package with
Python and pycryptodome alone (`pip install pycryptodome`). The key must come from the
platform's published public key, not from the package (a package re-signed with another
key fails). Format: docs/project-archive.md. Exit 0 when the manifest's signature, every
file's SHA-256 and size, the audit checkpoint's signature and every inclusion proof hold;
exit 1 naming the first file that fails.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import zipfile
from collections.abc import Callable
from typing import Any

FORMAT = "tenderhall.archive/1"
CHUNK = 1024 * 1024
OWN = {"manifest.json", "manifest.sig", "platform-key.pem"}


def canonical(obj: Any) -> bytes:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def verify_ed25519(pem: str, message: bytes, signature_hex: str) -> bool:
    from Crypto.PublicKey import ECC
    from Crypto.Signature import eddsa

    try:
        eddsa.new(ECC.import_key(pem), "rfc8032").verify(message, bytes.fromhex(signature_hex))
    except (ValueError, TypeError):
        return False
    return True


def entry_digest(c: dict[str, Any]) -> str:
    ts = dt.datetime.fromisoformat(c["ts"]).astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = [
        c["seq"],
        ts,
        c["actor_id"],
        c["actor_name"],
        c["role"],
        c["ip"],
        c["action"],
        c["object_type"],
        c["object_id"],
        c["data"],
        c["prev_hash"],
    ]
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leaf_hash(entry_hash_hex: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(entry_hash_hex)).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


Check = Callable[[str, bytes, str], bool]


def _audit(zf: zipfile.ZipFile, pem: str, check: Check) -> str | None:
    names = set(zf.namelist())
    if "audit/checkpoint.json" not in names:
        return None
    cp = json.loads(zf.read("audit/checkpoint.json"))
    if not check(pem, canonical(cp["body"]), cp["signature"]):
        return "audit/checkpoint.json: the checkpoint's signature does not verify"
    root = bytes.fromhex(cp["body"]["root"])
    with zf.open("audit/entries.jsonl") as f:
        for n, line in enumerate(f, start=1):
            e = json.loads(line)
            if entry_digest(e) != e["entry_hash"]:
                return f"audit/entries.jsonl: entry {n} (seq {e['seq']}) does not hash to its entry_hash"
            proof = [bytes.fromhex(p) for p in e["proof"]]
            if e["tree_size"] != cp["body"]["size"] or not verify_inclusion(
                e["leaf_index"], e["tree_size"], leaf_hash(e["entry_hash"]), proof, root
            ):
                return f"audit/entries.jsonl: entry {n} (seq {e['seq']}) is not in the signed checkpoint"
    return None


def verify(path: str, pem: str, check: Check = verify_ed25519) -> tuple[bool, str, int]:
    """(ok, message, files checked); the message names the first thing that fails.
    `check(pem, message, signature_hex)` verifies an Ed25519 signature (the platform
    passes its own)."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return False, f"{path}: not a readable ZIP package ({exc})", 0
    with zf:
        names = set(zf.namelist())
        for own in ("manifest.json", "manifest.sig"):
            if own not in names:
                return False, f"{own}: missing", 0
        raw = zf.read("manifest.json")
        signature = zf.read("manifest.sig").decode("ascii", "replace").strip()
        if not check(pem, raw, signature):
            return False, "manifest.json: the signature does not verify with the platform key", 0
        manifest = json.loads(raw)
        if manifest.get("format") != FORMAT:
            return False, f"manifest.json: unknown format {manifest.get('format')!r}", 0
        listed = {f["path"] for f in manifest["files"]}
        for extra in sorted(names - listed - OWN):
            return False, f"{extra}: in the package but not in the manifest", 0
        checked = 0
        for f in manifest["files"]:
            if f["path"] not in names:
                return False, f"{f['path']}: missing from the package", checked
            digest, size = hashlib.sha256(), 0
            try:
                with zf.open(f["path"]) as src:
                    while block := src.read(CHUNK):
                        digest.update(block)
                        size += len(block)
            except (zipfile.BadZipFile, OSError) as exc:
                return False, f"{f['path']}: damaged in the package ({exc})", checked
            if size != f["size"] or digest.hexdigest() != f["sha256"]:
                return (
                    False,
                    f"{f['path']}: content does not match its SHA-256 in the manifest",
                    checked,
                )
            checked += 1
        problem = _audit(zf, pem, check)
        if problem:
            return False, problem, checked
    return True, f"OK: {checked} files, manifest signed by key {manifest.get('key_id')}", checked


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[2] != "--key":
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    with open(argv[3], encoding="ascii") as fh:
        pem = fh.read()
    ok, message, _n = verify(argv[1], pem)
    print(message)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
