"""In-app inbox and e-mail. Mail goes out after commit through a real SMTP sender, or in
development into a local mbox file that any mail reader opens."""

from __future__ import annotations

import datetime as dt
import fcntl
import mailbox
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from flask import current_app
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core import clock
from app.core.db import Base, UTCDateTime
from app.core.extensions import db
from app.core.realtime import after_commit


class Notification(Base):
    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="tenderhall.local")
    msg.set_content(body)
    return msg


def deliver(msg: EmailMessage, config: dict[str, Any]) -> None:
    if config["MAIL_BACKEND"] == "smtp":
        with smtplib.SMTP(
            config["MAIL_SMTP_HOST"], int(config["MAIL_SMTP_PORT"]), timeout=10
        ) as smtp:
            if config.get("MAIL_SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("MAIL_SMTP_USER"):
                smtp.login(config["MAIL_SMTP_USER"], config["MAIL_SMTP_PASSWORD"] or "")
            smtp.send_message(msg)
        return
    path = config["MAIL_MBOX_PATH"]
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        box = mailbox.mbox(path)
        try:
            box.add(msg)
            box.flush()
        finally:
            box.close()


def notify(
    user: Any, kind: str, title: str, body: str = "", link: str = "", *, email: bool = True
) -> Notification:
    """Put a message in the user's inbox now; e-mail it after the transaction commits."""
    note = Notification(
        user_id=user.id, kind=kind, title=title, body=body, link=link, created_at=clock.now()
    )
    db.session.add(note)
    if email and getattr(user, "email", ""):
        config = dict(current_app.config)
        msg = build_message(user.email, title, body + (f"\n\n{link}" if link else ""))
        after_commit(lambda: deliver(msg, config))
    return note


def read_mbox(path: str) -> list[EmailMessage]:
    box = mailbox.mbox(path)
    try:
        return list(box)  # type: ignore[arg-type]
    finally:
        box.close()
