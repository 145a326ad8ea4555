"""Who is calling: a bearer token, or else the browser session.

A request that carries `Authorization: Bearer …` is authenticated by that token alone.
Flask-Login would first look at the session cookie: a client that fetched any page
before (and so holds a session with a CSRF token in it) failed "strong" session
protection, which ends the lookup before the token is read (401); and a browser logged
in as one user would act as that user whatever token it sent. Neither the session nor
its protection has any say over a token call.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import LoginManager
from flask_login.signals import user_accessed

BEARER = "Bearer "


def bearer_token(req: Any) -> str | None:
    """The token of an `Authorization: Bearer …` header, None when there is none."""
    header = req.headers.get("Authorization", "")
    if not header.startswith(BEARER):
        return None
    return header.removeprefix(BEARER).strip()


class TokenFirstLoginManager(LoginManager):  # type: ignore[misc]
    def _load_user(self) -> Any:
        if bearer_token(request) is None or self._request_callback is None:
            return super()._load_user()
        user_accessed.send(current_app._get_current_object())
        return self._update_request_context_with_user(self._load_user_from_request(request))
