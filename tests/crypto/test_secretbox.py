"""Secrets sealed at rest: only the same key and purpose open them, any change is caught."""

from __future__ import annotations

import base64

import pytest

from app.core.crypto.secretbox import PREFIX, SecretBoxError, open_secret, seal_secret

KEY = "a-platform-secret-key"


def test_sealed_secret_opens_with_the_same_key_and_purpose() -> None:
    seed = bytes(range(32))
    sealed = seal_secret(seed, "expert-draw-seed", secret_key=KEY)
    assert sealed.startswith(PREFIX)
    assert seed.hex() not in sealed and seed not in sealed.encode()
    assert open_secret(sealed, "expert-draw-seed", secret_key=KEY) == seed


def test_sealing_twice_gives_different_texts() -> None:
    a = seal_secret(b"same", "p", secret_key=KEY)
    b = seal_secret(b"same", "p", secret_key=KEY)
    assert a != b
    assert open_secret(a, "p", secret_key=KEY) == open_secret(b, "p", secret_key=KEY) == b"same"


def test_another_secret_key_cannot_open_it() -> None:
    sealed = seal_secret(b"seed", "expert-draw-seed", secret_key=KEY)
    with pytest.raises(SecretBoxError):
        open_secret(sealed, "expert-draw-seed", secret_key=KEY + "x")


def test_a_secret_sealed_for_one_purpose_does_not_open_for_another() -> None:
    sealed = seal_secret(b"seed", "expert-draw-seed", secret_key=KEY)
    with pytest.raises(SecretBoxError):
        open_secret(sealed, "session-token", secret_key=KEY)


@pytest.mark.parametrize("position", [0, 12, 20, -1])
def test_any_altered_byte_is_refused(position: int) -> None:
    sealed = seal_secret(b"0123456789", "p", secret_key=KEY)
    blob = bytearray(base64.urlsafe_b64decode(sealed[len(PREFIX) :]))
    blob[position] ^= 0x01
    with pytest.raises(SecretBoxError):
        open_secret(PREFIX + base64.urlsafe_b64encode(bytes(blob)).decode(), "p", secret_key=KEY)


@pytest.mark.parametrize("text", ["", "sb1.", "sb1.!!!", "sb1.AAAA", "plain-hex-seed", "sb2.AAAA"])
def test_text_that_is_not_a_sealed_secret_is_refused(text: str) -> None:
    with pytest.raises(SecretBoxError):
        open_secret(text, "p", secret_key=KEY)


def test_purpose_must_be_a_label() -> None:
    with pytest.raises(ValueError):
        seal_secret(b"x", "", secret_key=KEY)


def test_key_comes_from_the_app_secret_key_when_not_given() -> None:
    from flask import Flask

    app = Flask(__name__)
    app.config["SECRET_KEY"] = KEY
    with app.app_context():
        sealed = seal_secret(b"seed", "p")
        assert open_secret(sealed, "p") == b"seed"
    assert open_secret(sealed, "p", secret_key=KEY) == b"seed"
    app.config["SECRET_KEY"] = "rotated"
    with app.app_context(), pytest.raises(SecretBoxError):
        open_secret(sealed, "p")
