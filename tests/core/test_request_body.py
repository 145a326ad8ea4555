"""A large request body read straight from gunicorn's socket (app.core.http.BodyReader).

gunicorn's own parser on a real socket pair: the body comes out whole and in order, a
body read only in part (a refused chunk) leaves the connection where gunicorn expects the
next request, a pipelined request behind the body is handed back to gunicorn, and a client
that goes away mid-body is a disconnect that closes the connection.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from gunicorn.config import Config
from gunicorn.http.parser import RequestParser
from gunicorn.http.wsgi import create
from werkzeug.exceptions import ClientDisconnected

from app.core.http import BodyReader, _gunicorn_receiver

ADDR = ("127.0.0.1", 40000)


def _put(body: bytes, path: str = "/up") -> bytes:
    head = f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body


class Connection:
    """A client socket sending `raw` from a thread and gunicorn's parser on the other end."""

    def __init__(self, raw: bytes, *, close_early: bool = False) -> None:
        self.client, self.server = socket.socketpair()
        self.server.settimeout(10)
        self.cfg = Config()
        self.parser = RequestParser(self.cfg, self.server, ADDR)

        def send() -> None:
            try:
                self.client.sendall(raw)
            except OSError:
                return
            if close_early:
                self.client.close()
            else:
                self.client.shutdown(socket.SHUT_WR)

        self.sender = threading.Thread(target=send, daemon=True)
        self.sender.start()

    def next_environ(self) -> tuple[Any, dict[str, Any]]:
        req = next(self.parser)
        _resp, environ = create(req, self.server, ADDR, ("127.0.0.1", 80), self.cfg)
        return req, environ

    def close(self) -> None:
        self.server.close()
        self.client.close()
        self.sender.join(timeout=5)


@pytest.fixture
def conn_factory() -> Iterator[Any]:
    made: list[Connection] = []

    def make(raw: bytes, **kw: Any) -> Connection:
        made.append(Connection(raw, **kw))
        return made[-1]

    yield make
    for c in made:
        c.close()


def _reader(environ: dict[str, Any]) -> BodyReader:
    length = int(environ["CONTENT_LENGTH"])
    receive = _gunicorn_receiver(environ, length)
    assert receive is not None, "gunicorn's body should be received from its socket"
    return BodyReader(environ["wsgi.input"], length, receive)


def _read_all(reader: BodyReader, piece: int = 65536) -> bytes:
    buf = bytearray(piece)
    out = hashlib.sha256()
    size = 0
    while n := reader.readinto(buf):
        out.update(memoryview(buf)[:n])
        size += n
    return out.digest() + size.to_bytes(8, "big")


def test_a_large_body_comes_out_whole_and_the_next_request_follows(conn_factory: Any) -> None:
    first, second = os.urandom(3 * 1024 * 1024 + 17), os.urandom(70_000)
    conn = conn_factory(_put(first, "/a") + _put(second, "/b"))
    _req, environ = conn.next_environ()
    assert environ["PATH_INFO"] == "/a"
    assert _read_all(_reader(environ)) == hashlib.sha256(first).digest() + len(first).to_bytes(
        8, "big"
    )
    _req, environ = conn.next_environ()
    assert environ["PATH_INFO"] == "/b"
    assert environ["wsgi.input"].read() == second


def test_a_body_read_in_part_leaves_the_next_request_where_gunicorn_finds_it(
    conn_factory: Any,
) -> None:
    # A small body arrives with its headers (gunicorn read it ahead), pipelined with the
    # next request: only the body is served, the rest is gunicorn's again.
    small, big, last = b"x" * 300, os.urandom(2 * 1024 * 1024), b"tail"
    conn = conn_factory(_put(small, "/a") + _put(big, "/b") + _put(last, "/c"))
    _req, environ = conn.next_environ()
    reader = _reader(environ)
    assert reader.read(1000) == small
    assert reader.read(10) == b""
    # A refused chunk: ten bytes read of two megabytes, then the response goes out.
    _req, environ = conn.next_environ()
    assert environ["PATH_INFO"] == "/b"
    reader = _reader(environ)
    assert reader.read(10) == big[:10]
    _req, environ = conn.next_environ()
    assert environ["PATH_INFO"] == "/c"
    assert environ["wsgi.input"].read() == last


def test_a_client_gone_mid_body_is_a_disconnect_that_closes_the_connection(
    conn_factory: Any,
) -> None:
    body = os.urandom(512 * 1024)
    raw = _put(body)
    cut = raw[: len(raw) - 100_000]
    conn = conn_factory(cut, close_early=True)
    _req, environ = conn.next_environ()
    reader = _reader(environ)
    with pytest.raises(ClientDisconnected):
        _read_all(reader)
    assert environ["wsgi.input"].failed is True


def test_a_body_already_read_is_read_through_wsgi_input(conn_factory: Any) -> None:
    body = os.urandom(50_000)
    conn = conn_factory(_put(body))
    _req, environ = conn.next_environ()
    assert environ["wsgi.input"].read(5) == body[:5]
    assert _gunicorn_receiver(environ, len(body)) is None
    assert _gunicorn_receiver({"wsgi.input": object()}, 5) is None
