"""The sealed-bid package's narrow view of app.core.crypto: every crypto call goes through here."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO

from flask import current_app

from app.core.crypto import (
    ContainerError,
    CustodyError,
    Header,
    StructureCheck,
    check_binding,
    inspect_header,
    open_stream,
    recover_private_key,
    sign_json,
    sign_receipt,
    unseal_share,
    validate_structure,
)

__all__ = [
    "ContainerError",
    "CustodyError",
    "Header",
    "StructureCheck",
    "check_binding",
    "inspect_header",
    "make_opening_key",
    "open_bid",
    "private_key",
    "sign_json",
    "sign_receipt",
    "unseal_share",
    "unwrap_presented",
    "validate_structure",
    "wrap_presented",
]


def make_opening_key(passphrases: list[str], k: int) -> Any:
    from app.core.crypto import make_opening_key as make

    kwargs: dict[str, Any] = {}
    scrypt_n = current_app.config.get("CUSTODY_SCRYPT_N")
    if scrypt_n:
        kwargs["scrypt_n"] = int(scrypt_n)
    return make(passphrases, k, **kwargs)


# A presented share must survive between the custodians' separate requests (and a crash of
# the opening), so after the deadline it is kept re-sealed to a passphrase derived from the
# server secret and the lot: a copy of the database alone does not yield it.
def _server_passphrase(context: str) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, b"presented-share:" + context.encode(), hashlib.sha256).hexdigest()


def wrap_presented(share: Any, context: str) -> str:
    from app.core.crypto import custody

    # The passphrase carries 256 bits, so the cheapest scrypt cost is enough.
    return custody.seal_share(share, _server_passphrase(context), scrypt_n=custody.SCRYPT_MIN_N)


def unwrap_presented(text: str, context: str) -> Any:
    return unseal_share(text, _server_passphrase(context))


@contextmanager
def private_key(encrypted_private: str, shares: list[Any]) -> Iterator[Any]:
    with recover_private_key(encrypted_private, shares) as key:
        yield key


def open_bid(
    key: Any,
    stream: BinaryIO,
    sink: Callable[[Any], Any] | None,
    *,
    lot_id: int,
    bidder_org_id: int,
    sha256: str,
    hash_files: bool = True,
) -> Any:
    return open_stream(
        key,
        stream,
        sink,
        expected_lot=lot_id,
        expected_bidder=bidder_org_id,
        expected_sha256=sha256,
        hash_files=hash_files,
    )
