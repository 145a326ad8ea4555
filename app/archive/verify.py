"""`flask archive verify`: the same checks as scripts/verify_archive.py (its standalone
copy for use without the platform), against the platform's own public key."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "verify_archive.py"


def _checker() -> ModuleType:
    # One implementation of the checks: the standalone script is the reference verifier.
    spec = importlib.util.spec_from_file_location("tenderhall_verify_archive", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check(pem: str, message: bytes, signature_hex: str) -> bool:
    from app.core.crypto import canonical_json, verify_json

    try:
        obj = json.loads(message)
    except ValueError:
        return False
    # What is signed is canonical JSON: bytes that are not canonical were not signed.
    return canonical_json(obj) == message and verify_json(obj, signature_hex, pem)


def verify_package(path: str, public_key_pem: str) -> tuple[bool, str, int]:
    """(ok, message naming the first failure, files checked)."""
    result: tuple[bool, str, int] = _checker().verify(path, public_key_pem, _check)
    return result
