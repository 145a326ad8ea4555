"""Request helpers shared by every package: who is calling, and loading a row or 404.

One proxy-header rule: the reverse proxy in front of the platform sets `X-Real-IP`; without
one the socket's address is the caller's. Values are cut to what the audit and download
tables store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, has_request_context, request

from app.core.extensions import db

IP_MAX = 64
USER_AGENT_MAX = 300

T = TypeVar("T")


@dataclass(frozen=True)
class ClientInfo:
    ip: str
    user_agent: str


def client_info() -> ClientInfo:
    """The caller's address and browser; empty outside a request (jobs, commands)."""
    if not has_request_context():
        return ClientInfo("", "")
    ip = request.headers.get("X-Real-IP") or request.remote_addr or ""
    agent = request.headers.get("User-Agent") or ""
    return ClientInfo(ip[:IP_MAX], agent[:USER_AGENT_MAX])


def load_or_404(model: type[T], ident: Any) -> T:
    """The row with this primary key, or a 404 (pages and API alike)."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj
