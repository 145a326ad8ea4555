"""Two centres, each with its own staff and a published room; a lot of the first centre."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app.core import clock
from app.core.auth.models import Centre, OrgKind, Role, User
from app.core.extensions import db
from remote_eval.venues import rooms
from remote_eval.venues.models import Venue
from tests.experts.world import NOW, World, build_world
from tests.factories import make_centre, make_org, make_user

# NOW is Monday 2026-03-02 09:00 CST; the evaluation is the next day 09:00–12:00 CST.
START = NOW + dt.timedelta(days=1)
END = START + dt.timedelta(hours=3)


@dataclass
class Venues:
    w: World
    room: Venue
    other: Centre
    other_staff: User
    other_room: Venue
    supervisor: User
    other_supervisor: User


def seats(n: int) -> list[dict[str, str]]:
    return [{"label": f"A{i:02d}", "equipment": "双屏电脑"} for i in range(1, n + 1)]


def build(seat_count: int = 3, other_seats: int = 4) -> Venues:
    w = build_world()
    clock.set_now(NOW)
    room = rooms.save_venue(
        w.centre_staff, {"name": "第一评标室", "location": "三楼", "seats": seats(seat_count)}
    )
    rooms.set_published(room, w.centre_staff, True)
    other = make_centre(name="绵阳市公共资源交易中心")
    other_staff = make_user(Role.STAFF, organisation=make_org(OrgKind.CENTRE, centre=other))
    other_room = rooms.save_venue(other_staff, {"name": "远程评标室", "seats": seats(other_seats)})
    rooms.set_published(other_room, other_staff, True)
    supervisor = make_user(Role.SUPERVISOR, centre=w.centre)
    other_supervisor = make_user(Role.SUPERVISOR, centre=other)
    db.session.commit()
    return Venues(w, room, other, other_staff, other_room, supervisor, other_supervisor)
