"""`flask serve`: web (waitress), scheduler and rooms in one process for a single machine.

All three share the in-process event broker (unless REDIS_URL is set), so an event
committed by a web request reaches the rooms server without any other service.
SIGINT / SIGTERM stop the web server first, then the rooms server and the scheduler.
"""

from __future__ import annotations

import errno
import logging
import signal
from dataclasses import dataclass
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


class PortUnavailable(click.ClickException):
    """A port the launcher needs cannot be bound: says which, and how to choose another."""

    def __init__(self, what: str, host: str, port: int, exc: OSError, hint: str) -> None:
        reason = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        super().__init__(
            f"port {port} on {host} ({what}) cannot be used: {reason}. "
            f"Stop what uses it, or choose another with {hint}."
        )
        self.port = port


@dataclass
class Launched:
    """The parts `launch()` started; `stop()` stops them in order."""

    server: Any
    url: str
    rooms: Any = None
    sched: Any = None
    rooms_url: str | None = None

    def stop(self) -> None:
        self.server.close()
        if self.rooms is not None:
            self.rooms.stop()
        if self.sched is not None:
            self.sched.stop()


def launch(
    app: Flask,
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    threads: int = 8,
    with_scheduler: bool = True,
    with_rooms: bool = True,
    rooms_port: int | None = None,
) -> Launched:
    """Bind the web port, then the rooms port (given, else ROOMS_PORT, else beside the web
    port), then start the scheduler. A port that cannot be bound raises PortUnavailable
    naming it, with whatever was started already stopped."""
    from waitress import create_server

    from app.core.rooms import rooms_port as default_rooms_port
    from app.core.scheduler import Scheduler

    try:
        server = create_server(app, host=host, port=port, threads=threads, **waitress_options(app))
    except OSError as exc:
        raise PortUnavailable("web", host, port, exc, "--port") from exc
    launched = Launched(server, f"http://{host}:{server.effective_port}/")
    if with_rooms:
        from remote_eval.ws import RoomServer

        chosen = rooms_port if rooms_port is not None else default_rooms_port(app.config, port)
        rooms = RoomServer(app, port=chosen)
        try:
            rooms.start_in_thread()
        except OSError as exc:
            launched.stop()
            raise PortUnavailable(
                "live rooms", rooms.host, chosen, exc, "--rooms-port (or TENDERHALL_ROOMS_PORT)"
            ) from exc
        launched.rooms = rooms
        # The pages learn where the rooms are from the server (the room-token API answers
        # app.core.rooms.rooms_public_url()): tell it the port actually bound.
        app.config["ROOMS_PORT"] = rooms.port
        launched.rooms_url = f"ws://{rooms.host}:{rooms.port}/"
    if with_scheduler and app.config.get("SCHEDULER_ENABLED", True):
        launched.sched = Scheduler(app)
        launched.sched.start(blocking=False)
    return launched


def serve_all(
    app: Flask,
    host: str = "127.0.0.1",
    port: int = 5000,
    *,
    threads: int = 8,
    with_scheduler: bool = True,
    with_rooms: bool = True,
    rooms_port: int | None = None,
) -> None:
    """Run until SIGINT/SIGTERM; then stop every part and return."""
    log = logging.getLogger("tenderhall.launcher")
    launched = launch(
        app,
        host,
        port,
        threads=threads,
        with_scheduler=with_scheduler,
        with_rooms=with_rooms,
        rooms_port=rooms_port,
    )
    print_banner(app, launched.url, launched.rooms_url)
    signal.signal(signal.SIGTERM, _raise_exit)
    try:
        launched.server.run()  # waitress returns after KeyboardInterrupt / SystemExit
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("stopping")
        launched.stop()
        click.echo("Tender Hall stopped.")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, type=int, show_default=True)
@click.option(
    "--rooms-port",
    default=None,
    type=int,
    help="Port of the live rooms (default ROOMS_PORT, else the web port + 1).",
)
@click.option("--threads", default=8, type=int, show_default=True)
@click.option("--no-scheduler", is_flag=True, help="Do not run the scheduler here.")
@click.option("--no-rooms", is_flag=True, help="Do not run the rooms server here.")
def serve_command(
    host: str,
    port: int,
    rooms_port: int | None,
    threads: int,
    no_scheduler: bool,
    no_rooms: bool,
) -> None:
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
        rooms_port=rooms_port,
    )


def init_app(app: Any) -> None:
    app.cli.add_command(serve_command)
