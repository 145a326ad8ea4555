"""Mail leaves through a real SMTP conversation, or lands in the development mailbox file."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app.core.auth.models import Role
from app.core.extensions import db
from app.core.notify import Notification, deliver, notify, read_mbox
from tests.factories import make_user


class _Collector:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Collector]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    handler = _Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def test_smtp_backend_sends_through_a_real_smtp_server(
    app: Any, smtp_server: tuple[int, _Collector]
) -> None:
    port, collector = smtp_server
    from app.core.notify import build_message

    msg = build_message("supplier@example.cn", "澄清公告：截止时间已顺延", "请登录平台查看。")
    config = dict(app.config, MAIL_BACKEND="smtp", MAIL_SMTP_HOST="127.0.0.1", MAIL_SMTP_PORT=port)
    deliver(msg, config)
    assert len(collector.messages) == 1
    envelope = collector.messages[0]
    assert envelope.rcpt_tos == ["supplier@example.cn"]
    parsed = message_from_bytes(envelope.content)
    assert "澄清公告" in str(parsed["Subject"]) or "=?utf-8?" in str(parsed["Subject"]).lower()


def test_notification_lands_in_inbox_and_mailbox_only_after_commit(app: Any) -> None:
    user = make_user(Role.SUPPLIER, totp=False, email="bidder@example.cn")
    db.session.commit()
    before = len(read_mbox(app.config["MAIL_MBOX_PATH"]))
    notify(user, "clarification", "澄清公告", "截止时间顺延至 2026-12-28 09:30")
    db.session.rollback()
    assert len(read_mbox(app.config["MAIL_MBOX_PATH"])) == before
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    notify(user, "clarification", "澄清公告", "截止时间顺延至 2026-12-28 09:30")
    db.session.commit()
    box = read_mbox(app.config["MAIL_MBOX_PATH"])
    assert len(box) == before + 1
    assert box[-1]["To"] == "bidder@example.cn"
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 1
