"""The launcher's web server keeps serving when the process holds many descriptors.

In `flask serve` the rooms thread holds one socket per websocket client; past about a
thousand, the sockets waitress accepts are numbered above select()'s limit of 1024.
"""

from __future__ import annotations

import http.client
import os
import resource
import threading
from typing import Any

import pytest
from waitress import create_server

from app.launcher import waitress_options


def test_web_server_answers_with_descriptors_above_1024(app: Any) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 1200:
        pytest.skip("the descriptor limit is too low to go past 1024")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1200), hard))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    server = create_server(app, host="127.0.0.1", port=0, threads=2, **waitress_options(app))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.effective_port, timeout=10)
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        conn.close()
    finally:
        server.close()
        thread.join(5)
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# --- the rooms port beside the web port, and a busy port named --------------------------

import json  # noqa: E402
import socket  # noqa: E402
import urllib.request  # noqa: E402

from app.core.rooms import register_room_policy, rooms_port  # noqa: E402
from app.launcher import PortUnavailable, launch  # noqa: E402

register_room_policy("launcher:", lambda user, room: True)


def _free_pair() -> int:
    """A port P with P + 1 free too (for the web and the rooms server beside it)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", port))
                b.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise RuntimeError("no two free ports side by side")


def test_rooms_port_is_set_or_beside_the_web_port() -> None:
    assert rooms_port({"ROOMS_PORT": 7001}, 6000) == 7001
    assert rooms_port({"ROOMS_PORT": None}, 6000) == 6001
    assert rooms_port({"ROOMS_PORT": None}, 0) == 0  # any free port, like the web's
    assert rooms_port({"ROOMS_PORT": None}) == 5001


def test_launch_moves_the_rooms_beside_the_web_port_and_the_pages_learn_it(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.core.auth.models import Role
    from tests.factories import make_user, token_headers

    monkeypatch.setitem(app.config, "ROOMS_PORT", None)
    headers = token_headers(make_user(Role.STAFF))
    port = _free_pair()
    launched = launch(app, port=port, threads=2, with_scheduler=False)
    thread = threading.Thread(target=launched.server.run, daemon=True)
    thread.start()
    try:
        assert launched.rooms.port == port + 1
        # A page asks the server where the rooms are, through the room-token API.
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/rooms/token",
            data=json.dumps({"room": "launcher:1"}).encode(),
            headers={**headers, "Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert json.loads(resp.read())["url"] == f"ws://127.0.0.1:{port + 1}/"
    finally:
        launched.stop()
        thread.join(5)


def test_a_busy_rooms_port_is_named_and_the_web_port_released(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "ROOMS_PORT", None)
    port = _free_pair()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port + 1))
        squatter.listen()
        with pytest.raises(PortUnavailable) as refused:
            launch(app, port=port, threads=2, with_scheduler=False)
    message = refused.value.format_message()
    assert f"port {port + 1} on 127.0.0.1 (live rooms)" in message
    assert "already in use" in message and "--rooms-port" in message
    with socket.socket() as again:  # nothing was left holding the web port
        again.bind(("127.0.0.1", port))


def test_a_busy_web_port_is_named(app: Any) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        with pytest.raises(PortUnavailable) as refused:
            launch(app, port=taken, threads=2, with_scheduler=False, with_rooms=False)
    assert f"port {taken} on 127.0.0.1 (web)" in refused.value.format_message()


def test_flask_serve_says_which_port_is_busy_without_a_traceback(tmp_path: Any) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    port = _free_pair()
    env = {
        **os.environ,
        "TENDERHALL_ENV": "development",
        "TENDERHALL_INSTANCE_PATH": str(tmp_path),
        "TENDERHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
    }
    env.pop("TENDERHALL_ROOMS_PORT", None)
    env.pop("TENDERHALL_REDIS_URL", None)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port + 1))
        squatter.listen()
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--port", str(port)],
            cwd=root,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert f"port {port + 1} on 127.0.0.1 (live rooms) cannot be used" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
