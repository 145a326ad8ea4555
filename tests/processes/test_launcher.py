"""`flask serve` starts web, scheduler and rooms together and stops on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from app.core.extensions import db
from app.factory import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_serve_answers_healthz_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TENDERHALL_ENV": "development",
        "TENDERHALL_INSTANCE_PATH": str(tmp_path),
        "TENDERHALL_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "TENDERHALL_ROOMS_PORT": "0",
        "TENDERHALL_SCHEDULER_TICK_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TENDERHALL_REDIS_URL", None)
    # The schema the scheduler's lease needs, built the way the tests build theirs.
    other = create_app(
        {"DATABASE_URL": env["TENDERHALL_DATABASE_URL"], "INSTANCE_PATH": str(tmp_path)}
    )
    with other.app_context():
        db.create_all()
        db.session.remove()
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    proc = subprocess.Popen(
        [*flask, "serve", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = None
        lines: list[str] = []
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(r"running: (http://\S+)", line)
            if m:
                url = m.group(1)
                break
        assert url, "".join(lines)
        with urllib.request.urlopen(url + "healthz", timeout=5) as resp:
            assert resp.status == 200
            assert b'"ok"' in resp.read()
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
        assert proc.returncode == 0, "".join(lines) + out
        assert "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
