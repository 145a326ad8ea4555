"""Request helpers shared by every package: who is calling, a large request body read as it
arrives, and loading a row or 404.

One proxy-header rule: the reverse proxy in front of the platform sets `X-Real-IP`; without
one the socket's address is the caller's. Values are cut to what the audit and download
tables store.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import abort, has_request_context, request
from werkzeug.exceptions import ClientDisconnected

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


class BodyReader:
    """The request body straight from the server, `Content-Length` bytes of it.

    For large bodies (bid chunks) read piece by piece into the caller's buffer
    (`readinto`). werkzeug's `request.stream` copies every piece twice more, and gunicorn's
    own body reader gathers each piece through several in-memory buffers; a deadline surge
    of hundreds of megabytes pays all of that in CPU. Under gunicorn the body is therefore
    received straight into the caller's buffer from the connection's socket (see
    `_gunicorn_receiver`); under any other server it is read from `wsgi.input`. The bound is
    kept here, as the WSGI rule asks (never read past the declared length); a body that
    ends early is a client that went away, answered as werkzeug answers it.
    """

    def __init__(self, stream: Any, length: int, receive: Receiver | None = None) -> None:
        self._stream = stream
        self._receive = receive
        self.remaining = length

    def read(self, size: int = -1) -> bytes:
        if self.remaining <= 0:
            return b""
        want = self.remaining if size is None or size < 0 else min(size, self.remaining)
        if self._receive is not None:
            buf = bytearray(want)
            return bytes(memoryview(buf)[: self.readinto(buf)])
        data = self._stream.read(want)
        if not data:
            raise ClientDisconnected()
        self.remaining -= len(data)
        return data

    def readinto(self, buf: bytearray | memoryview) -> int:
        """Fill `buf` (or as much of it as the body has left); 0 once the body is read."""
        view = memoryview(buf).cast("B")
        want = min(len(view), self.remaining)
        got = 0
        while got < want:
            if self._receive is not None:
                n = self._receive(view[got:want])
            else:
                data = self._stream.read(want - got)
                n = len(data)
                view[got : got + n] = data
            if not n:
                raise ClientDisconnected()
            got += n
            self.remaining -= n
        return got


Receiver = Callable[[memoryview], int]


def _gunicorn_receiver(environ: dict[str, Any], length: int) -> Receiver | None:
    """Receive a gunicorn request's body from its socket into the caller's buffer.

    Only for a body of known length that nobody has read yet: what gunicorn read ahead
    with the headers is served first, then `recv_into` straight from the socket; the
    caller's buffer is never larger than what is left of the body, so nothing past it (a
    pipelined next request) is taken. The count gunicorn keeps of the body's unread bytes
    goes down with every piece, so once the response is sent gunicorn skips exactly what is
    left of the body (the part a refused chunk did not read) and finds the next request
    where it starts. A receive that fails marks the body failed, which makes gunicorn close
    the connection rather than reuse it. Anything else (another server, HTTP/2, a gunicorn
    without these parts) gets None: read `wsgi.input`.
    """
    sock = environ.get("gunicorn.socket")
    body = environ.get("wsgi.input")
    reader = getattr(body, "reader", None)
    unreader = getattr(reader, "unreader", None)
    if (
        sock is None
        or type(reader).__name__ != "LengthReader"
        or getattr(reader, "length", None) != length
        or not hasattr(unreader, "take_buffered")
        or not hasattr(unreader, "unread")
        or not isinstance(getattr(body, "buf", None), io.BytesIO)
        or body.buf.getvalue()
    ):
        return None

    def receive(view: memoryview) -> int:
        view = view[: reader.length]
        # What gunicorn read ahead is taken a piece at a time and the rest handed back at
        # once, so that whatever this request leaves unread is still gunicorn's to skip.
        ahead = unreader.take_buffered()
        if ahead:
            n = min(len(view), len(ahead))
            view[:n] = memoryview(ahead)[:n]
            if len(ahead) > n:
                unreader.unread(ahead[n:])
        else:
            try:
                n = sock.recv_into(view, len(view))
            except OSError:
                body.failed = True
                raise ClientDisconnected() from None
            if not n:
                body.failed = True
        reader.length -= n
        return n

    return receive


def request_body() -> Any:
    """The current request's body as a `BodyReader`; a body without a Content-Length
    (chunked transfer) is left to werkzeug, which knows when the server says it ended."""
    length = request.content_length
    if length is None:
        return request.stream
    environ = request.environ
    return BodyReader(environ["wsgi.input"], length, _gunicorn_receiver(environ, length))


def load_or_404(model: type[T], ident: Any) -> T:
    """The row with this primary key, or a 404 (pages and API alike)."""
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj
