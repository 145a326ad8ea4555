"""Who may join which live room, and the short-lived signed tokens that prove it.

Rooms are named "<kind>:<id>" (e.g. "hall:12" for the opening hall of lot 12). The package
that owns a kind of room declares it once, `HALL = RoomKind("hall")`, builds every name
with `HALL.name(lot.id)` and registers who may join: `register_room_policy(HALL, fn)`
where `fn(user, room) -> bool`. A room without a policy is closed to everyone.

The web app issues a token (`POST /api/v1/rooms/token`); the rooms process checks it
on the first websocket message. Tokens are signed with the app's SECRET_KEY (salt
"room") and expire after ROOM_TOKEN_TTL_SECONDS, so the rooms process needs no session;
each carries a nonce and opens one connection only (the page fetches a fresh one for
every connection), so a token seen on the wire cannot be replayed.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_smorest import Blueprint
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from marshmallow import Schema, fields, validate

from app.core.errors import DomainError, Forbidden

RoomPolicy = Callable[[Any, str], bool]
ROOM_PATTERN = re.compile(r"^[a-z_]+:[A-Za-z0-9_.:-]{1,60}$")
SALT = "room"

_policies: dict[str, RoomPolicy] = {}


class RoomTokenInvalid(DomainError):
    status = 401
    code = "room_token_invalid"


@dataclass(frozen=True)
class RoomKind:
    """One kind of room: the only place its names are built and read back."""

    kind: str

    @property
    def prefix(self) -> str:
        return f"{self.kind}:"

    def name(self, ident: int | str) -> str:
        return f"{self.kind}:{ident}"

    def ident(self, room: str) -> int | None:
        """The numeric id in a room name of this kind, or None."""
        if not room.startswith(self.prefix):
            return None
        try:
            return int(room.removeprefix(self.prefix))
        except ValueError:
            return None


def register_room_policy(kind: RoomKind | str, fn: RoomPolicy) -> None:
    """Decide who may join rooms of `kind` (a RoomKind, or a raw prefix such as "hall:")."""
    _policies[kind.prefix if isinstance(kind, RoomKind) else kind] = fn


def policy_for(room: str) -> RoomPolicy | None:
    # The longest matching prefix wins so that "eval:chat:" can refine "eval:".
    matches = [p for p in _policies if room.startswith(p)]
    return _policies[max(matches, key=len)] if matches else None


def may_join(user: Any, room: str) -> bool:
    if user is None or not getattr(user, "is_active", False):
        return False
    if not ROOM_PATTERN.match(room or ""):
        return False
    policy = policy_for(room)
    if policy is None:
        return False
    try:
        return bool(policy(user, room))
    except Exception:
        current_app.logger.exception("room policy for %s failed", room)
        return False


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


@dataclass(frozen=True)
class RoomClaim:
    user_id: int
    room: str
    role: str


def issue_room_token(user: Any, room: str) -> str:
    """A token for `user` to join `room`; refused when the room's policy says no."""
    if not may_join(user, room):
        raise Forbidden(_l("您无权进入该房间：%(r)s。", r=room), field="room")
    # A nonce makes every token distinct, so the rooms server can accept each only once.
    return _serializer(current_app.config["SECRET_KEY"]).dumps(
        {"uid": user.id, "room": room, "role": user.role.value, "n": secrets.token_urlsafe(9)}
    )


def read_room_token(token: str, *, secret_key: str, max_age: int) -> RoomClaim:
    """Check signature and age; raise RoomTokenInvalid with the reason otherwise."""
    try:
        data = _serializer(secret_key).loads(token or "", max_age=max_age)
    except SignatureExpired as exc:
        raise RoomTokenInvalid(_l("房间令牌已过期，请刷新页面重新获取。")) from exc
    except BadSignature as exc:
        raise RoomTokenInvalid(_l("房间令牌无效。")) from exc
    if not isinstance(data, dict) or not {"uid", "room", "role"} <= set(data):
        raise RoomTokenInvalid(_l("房间令牌无效。"))
    return RoomClaim(int(data["uid"]), str(data["room"]), str(data["role"]))


DEFAULT_ROOMS_PORT = 5001


def rooms_port(config: Mapping[str, Any], beside: int | None = None) -> int:
    """The rooms server's port: ROOMS_PORT when set; else the one after the web port the
    launcher serves on (`beside`; 0, any free port, stays 0); else DEFAULT_ROOMS_PORT."""
    if config.get("ROOMS_PORT") is not None:
        return int(config["ROOMS_PORT"])
    if beside is not None:
        return beside + 1 if beside else 0
    return DEFAULT_ROOMS_PORT


def rooms_public_url() -> str:
    """Where pages connect: ROOMS_PUBLIC_URL, or the rooms port on the host the page was
    served from (so a page reached by name or over https gets a URL that works for it)."""
    cfg = current_app.config
    if cfg.get("ROOMS_PUBLIC_URL"):
        return str(cfg["ROOMS_PUBLIC_URL"])
    port = rooms_port(cfg)
    if has_request_context():
        scheme = "wss" if request.scheme == "https" else "ws"
        host = urlsplit(f"//{request.host}").hostname or cfg["ROOMS_HOST"]
        if ":" in host:  # an IPv6 address
            host = f"[{host}]"
        return f"{scheme}://{host}:{port}/"
    return f"ws://{cfg['ROOMS_HOST']}:{port}/"


class RoomTokenRequest(Schema):
    room = fields.String(
        required=True,
        validate=validate.Regexp(ROOM_PATTERN, error="房间名格式应为 类型:编号，如 hall:12"),
        metadata={"description": "Room name, e.g. hall:12"},
    )


class RoomTokenResponse(Schema):
    token = fields.String(required=True)
    room = fields.String(required=True)
    url = fields.String(
        required=True, metadata={"description": "websocket URL of the rooms server"}
    )
    expires_in = fields.Integer(required=True)


blp = Blueprint("rooms_api", __name__, url_prefix="/api/v1/rooms", description="Live rooms")


@blp.route("/token")
class RoomTokenResource(MethodView):
    @login_required
    @blp.arguments(RoomTokenRequest)
    @blp.response(201, RoomTokenResponse)
    def post(self, data: dict[str, Any]) -> Any:
        """Issue a short-lived token to join a live room over the websocket."""
        token = issue_room_token(current_user, data["room"])
        return {
            "token": token,
            "room": data["room"],
            "url": rooms_public_url(),
            "expires_in": int(current_app.config["ROOM_TOKEN_TTL_SECONDS"]),
        }
