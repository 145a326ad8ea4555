"""SMS channel behind one interface; development writes each message to instance/sms.log."""

from __future__ import annotations

import datetime as dt
import fcntl
from typing import Protocol

from app.core import clock
from app.core.realtime import after_commit
from experts import settings


class SmsSender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSmsSender:
    """Appends one line per message; a real gateway implements the same `send`."""

    def __init__(self, path: str) -> None:
        self.path = path

    def send(self, phone: str, text: str) -> None:
        stamp = clock.now().astimezone(dt.UTC).isoformat(timespec="seconds")
        with open(self.path, "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(f"{stamp}\t{phone}\t{text}\n")


def get_sender() -> SmsSender:
    backend = settings.sms_backend()
    if backend == "log":
        return LogSmsSender(settings.sms_log_path())
    raise RuntimeError(f"unknown EXPERT_SMS_BACKEND {backend!r}")


def send_after_commit(phone: str, text: str) -> None:
    """Queue an SMS: sent only if the decision that caused it commits."""
    if not phone:
        return
    sender = get_sender()
    after_commit(lambda: sender.send(phone, text))
