"""Shared access to docs/test-vectors for the crypto tests."""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[2] / "docs" / "test-vectors"
CONTAINER_VECTORS = ("container-v1-basic.json", "container-v1-exact-multiple.json")


@cache
def load(name: str) -> dict[str, Any]:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@cache
def vector_private_pem() -> bytes:
    return (VECTORS / "rsa-3072-test-key.pem").read_bytes()


def file_bytes(entry: dict[str, Any]) -> bytes:
    return base64.b64decode(entry["data_b64"])
