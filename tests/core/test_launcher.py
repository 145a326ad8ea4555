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
