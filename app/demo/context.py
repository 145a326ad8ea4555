"""The world under construction: what the builders share while the seed runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from app.core import clock
from app.core.auth import credit_code
from app.core.auth.models import Centre, Organisation, User
from app.core.auth.passwords import hash_password
from app.demo.accounts import DEMO_PASSWORD


def cst_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`hour:minute` China Standard Time on `day`, as the UTC instant the services store."""
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.CST).astimezone(
        dt.UTC
    )


@dataclass
class World:
    """The people and lots built so far, and the real time the seed started at."""

    password_hash: str
    real_now: dt.datetime
    today: dt.date
    credit_seq: int = 0
    centres: dict[str, Centre] = field(default_factory=dict)
    orgs: dict[str, dict[str, list[Organisation]]] = field(default_factory=dict)
    staff: dict[str, User] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    lots: dict[str, Any] = field(default_factory=dict)  # stage-unique lots by a short name
    invited: list[str] = field(default_factory=list)
    announcements: int = 0

    @classmethod
    def start(cls) -> World:
        # One hash serves every account: hashing is deliberately slow.
        password_hash = hash_password(DEMO_PASSWORD)
        real_now = clock.now()
        return cls(password_hash=password_hash, real_now=real_now, today=clock.cst_date(real_now))

    def credit(self, region: str, kind_digit: str, first: str = "9") -> str:
        """A fresh, valid unified social credit code in the centre's region."""
        self.credit_seq += 1
        return credit_code.complete(f"{first}{kind_digit}{region}{self.credit_seq:09d}")

    def at(self, when: dt.datetime) -> None:
        """Move the clock to `when`, never past the real now (the world must not be ahead)."""
        clock.set_now(min(when, self.real_now))

    def supplier(self, n: int) -> User:
        return self.users[f"supplier{n:02d}"]
