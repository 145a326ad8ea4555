"""`flask serve`: web (waitress), scheduler and rooms in one process for a single machine.

All three share the in-process event broker (unless REDIS_URL is set), so an event
committed by a web request reaches the rooms server without any other service.
SIGINT / SIGTERM stop the web server first, then the rooms server and the scheduler.
"""

from __future__ import annotations

import logging
import signal
from typing import Any

import click
from flask import Flask, current_app


def _demo_accounts() -> list[dict[str, Any]]:
    try:
        from app.demo import DEMO_ACCOUNTS
    except ImportError:
        return []
    return list(DEMO_ACCOUNTS)


def _demo_guide(app: Flask) -> list[str]:
    try:
        from app.demo import DEMO_GUIDE
        from app.demo.guide import evaluation_guide
    except ImportError:
        return []
    with app.app_context():
        return [*DEMO_GUIDE, *evaluation_guide()]


def print_banner(app: Flask, url: str, rooms_url: str | None) -> None:
    click.echo("")
    click.echo(f"  Tender Hall is running: {url}")
    if rooms_url:
        click.echo(f"  Live rooms:             {rooms_url}")
    accounts = _demo_accounts()
    if accounts:
        click.echo("")
        click.echo("  Demo accounts (username / password / TOTP secret — `flask users totp NAME`):")
        for acc in accounts:
            secret = acc.get("totp_secret") or "-"
            click.echo(
                f"    {acc['role']:<10} {acc['username']:<14} {acc['password']:<20} {secret}"
                f"  {acc.get('note', '')}"
            )
        guide = _demo_guide(app)
        if guide:
            click.echo("")
            click.echo("  Demo guide:")
            for line in guide:
                click.echo(f"    · {line}")
    click.echo("")
    click.echo("  Press Ctrl-C to stop.")
    click.echo("", nl=True)


def _raise_exit(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)


def waitress_options(app: Flask) -> dict[str, Any]:
    """Socket and buffer settings of the web server, shared with the upload benchmark.

    Sealed bids arrive as chunks of up to BID_CHUNK_MAX_BYTES: reading the socket 256 KiB at
    a time instead of waitress's 8 KiB cuts the Python work of its single I/O thread, and a
    chunk's body stays in memory (bounded by connections × chunk size) instead of being
    spilled to a temporary file and read back.

    poll() instead of select(): in the launcher the rooms thread holds one descriptor per
    websocket client, so past about a thousand of them the sockets waitress accepts get
    numbers above select()'s FD_SETSIZE (1024) and its loop dies with "filedescriptor out
    of range in select()".
    """
    return {
        "asyncore_use_poll": True,
        "recv_bytes": 256 * 1024,
        "inbuf_overflow": int(app.config.get("BID_CHUNK_MAX_BYTES", 8 * 1024 * 1024)) + 65536,
    }


def serve_all(
    app: Flask,
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    threads: int = 8,
    with_scheduler: bool = True,
    with_rooms: bool = True,
) -> None:
    """Run until SIGINT/SIGTERM; then stop every part and return."""
    from waitress import create_server

    from app.core.scheduler import Scheduler

    log = logging.getLogger("tenderhall.launcher")
    rooms = None
    sched = None
    if with_rooms:
        from remote_eval.ws import RoomServer

        rooms = RoomServer(app)
        rooms.start_in_thread()
    if with_scheduler and app.config.get("SCHEDULER_ENABLED", True):
        sched = Scheduler(app)
        sched.start(blocking=False)
    server = create_server(app, host=host, port=port, threads=threads, **waitress_options(app))
    url = f"http://{host}:{server.effective_port}/"
    rooms_url = f"ws://{rooms.host}:{rooms.port}/" if rooms else None
    print_banner(app, url, rooms_url)
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        server.run()  # waitress returns after KeyboardInterrupt / SystemExit
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("stopping")
        server.close()
        if rooms is not None:
            rooms.stop()
        if sched is not None:
            sched.stop()
        click.echo("Tender Hall stopped.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option("--threads", default=8, type=int, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler here.")
@click.option("--no-rooms", is_flag=True, help="Do not run the rooms server here.")
def serve_command(host: str, port: int, threads: int, no_scheduler: bool, no_rooms: bool) -> None:
    """Start web app, scheduler and rooms server together (one machine)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("waitress").setLevel(logging.WARNING)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    serve_all(
        app,
        host,
        port,
        threads=threads,
        with_scheduler=not no_scheduler,
        with_rooms=not no_rooms,
    )


def init_app(app: Any) -> None:
    app.cli.add_command(serve_command)
