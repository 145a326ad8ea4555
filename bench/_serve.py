"""What the HTTP benchmarks share: a free port, waiting for a server process to answer, and
the server processes' memory and CPU."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(port: int, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll /healthz until the server answers 200; stop the run if it exits or never does."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with code {proc.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not become ready")


def run_gunicorn(
    factory: Callable[[], Any], *, host: str, port: int, workers: int, threads: int
) -> None:
    """Serve `factory()` with gunicorn gthread workers (the scale path: `gunicorn wsgi:app`).

    Each worker builds its own app after the fork (no preload), so no database connection
    crosses a fork; each worker thread reads its request body straight from its socket.
    """
    from gunicorn.app.base import BaseApplication

    class _App(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in {
                "bind": f"{host}:{port}",
                "workers": workers,
                "threads": threads,
                "worker_class": "gthread",
                "loglevel": "error",
                "accesslog": None,
                "timeout": 300,
                "keepalive": 30,
            }.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return factory()

    _App().run()


def tree_peak_rss_mb(pid: int) -> float:
    """Sum of VmHWM (peak resident memory) over a server process and its children."""

    def children(p: int) -> list[int]:
        out: list[int] = []
        for task in Path(f"/proc/{p}/task").glob("*"):
            text = (task / "children").read_text().split()
            out += [int(c) for c in text]
        return out

    total = 0.0
    todo = [pid]
    while todo:
        p = todo.pop()
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                total += int(line.split()[1]) / 1024
        todo += children(p)
    return total


def cpu_seconds(procs: list[Any]) -> float:
    """User + system CPU time the server processes (their threads, and their worker
    processes: gunicorn's) have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stats[int(entry.name)] = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # gone meanwhile
    children: dict[int, list[int]] = {}
    for pid, fields in stats.items():
        children.setdefault(int(fields[1]), []).append(pid)
    total = 0.0
    todo = [p.pid for p in procs]
    while todo:
        pid = todo.pop()
        if pid in stats:
            total += (int(stats[pid][11]) + int(stats[pid][12])) / tick
        todo.extend(children.get(pid, []))
    return total
