"""Evaluation rooms, shared pools and the remote lot's bookings, built through the services.

Both demo centres publish their rooms and share their 服务器 / 网络设备 experts (B01) at
their own fee standards; 乌兰察布 pays the higher standard (就高不就低). The lot ready to
evaluate is marked remote: its agency books three seats at the main venue and asks 绵阳
for two seats and two experts, and 绵阳's staff accept, reserving seats in their room.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.core import clock
from app.core.auth.models import Holiday, User
from app.core.calendar import calendar_for
from app.core.extensions import db
from app.demo.context import World

ROOMS = {
    "wlcb": (
        "评标室（3）",
        "交易中心四楼东侧",
        9,
        "高清摄像头 2 台、全向拾音器、86 英寸会商屏、身份证读卡器",
    ),
    "my": ("评标室（1）", "交易中心二楼", 6, "高清摄像头、拾音器、65 英寸会商屏、身份证读卡器"),
}
SHARES = {"wlcb": ("500.00", True), "my": ("400.00", False)}
SHARED_SPECIALTIES = ["B01"]


def publish_venues(world: World) -> None:
    """Both centres' rooms, published, and the shared part of each pool with its fee."""
    from experts import sharing
    from remote_eval.venues import rooms

    for key, (name, place, count, kit) in ROOMS.items():
        staff: User = world.users[f"{key}_centre"]
        room = rooms.save_venue(
            staff,
            {
                "name": name,
                "location": place,
                "equipment": kit,
                "seats": [
                    {
                        "label": f"{'A' if key == 'wlcb' else 'B'}{n:02d}",
                        "equipment": "双屏电脑、电子签名板",
                    }
                    for n in range(1, count + 1)
                ],
            },
        )
        rooms.set_published(room, staff, True)
        world.lots[f"venue:{key}"] = room
        fee, higher = SHARES[key]
        sharing.set_share(
            staff,
            world.centres[key].id,
            {"specialties": SHARED_SPECIALTIES, "fee_half_day": fee, "pay_higher": higher},
        )


def _open_that_day(world: World, day: dt.date) -> None:
    """A seed on a weekend or holiday: the centres work that day for the remote evaluation
    (a make-up working day in their calendars), so the demo's booking can stand."""
    for key in ("wlcb", "my"):
        centre = world.centres[key]
        if not calendar_for(centre.id).is_working_day(day):
            db.session.add(
                Holiday(centre_id=centre.id, day=day, is_workday=True, name="远程异地评标加班日")
            )
    db.session.flush()


def book_remote(world: World, lot: Any, staff: User, evaluation: dt.datetime) -> None:
    """Mark the lot remote, book the main venue, ask 绵阳 and have it accept."""
    from remote_eval.venues import assistance, bookings

    if "venue:wlcb" not in world.lots:
        publish_venues(world)
    end = evaluation + dt.timedelta(hours=4)
    _open_that_day(world, clock.cst_date(evaluation))
    assistance.mark_remote(lot, staff)
    bookings.book_seats(lot, world.lots["venue:wlcb"], staff, evaluation, end, 3)
    item = assistance.request_assistance(
        lot,
        staff,
        {
            "to_centre_id": world.centres["my"].id,
            "start_at": evaluation,
            "end_at": end,
            "seats": 2,
            "specialties": [{"specialty": "B01", "count": 2}],
            "note": "远程异地评标副场：请安排 2 个工位并在贵中心共享专家库抽取 2 名专家。",
        },
    )
    world.at(clock.now() + dt.timedelta(minutes=40))
    assistance.accept(item, world.users["my_centre"], world.lots["venue:my"])
    world.lots["assistance:evaluation"] = item
