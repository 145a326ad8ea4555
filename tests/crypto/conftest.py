"""Crypto rules are pure: these tests need neither the app nor a database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.core import clock


@pytest.fixture(autouse=True)
def _clean() -> Iterator[None]:
    # Replaces the database-cleaning fixture of tests/conftest.py for this directory.
    clock.set_now(None)
    yield
    clock.set_now(None)


@pytest.fixture(scope="session")
def custody_passphrases() -> list[str]:
    return [f"custodian-{i}-口令" for i in range(1, 6)]


@pytest.fixture(scope="session")
def opening_key(custody_passphrases: list[str]) -> object:
    """One 3-of-5 opening key for the session: RSA-3072 generation takes seconds."""
    from app.core.crypto.custody import make_opening_key

    # The lowest scrypt cost the format accepts keeps unsealing fast in tests.
    return make_opening_key(custody_passphrases, 3, 5, scrypt_n=2**10)
