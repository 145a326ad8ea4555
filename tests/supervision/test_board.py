"""The monitoring board: lots by stage with their points lit, the centre's only (every
centre for the provincial supervisor), the supervision room's policy, the warning pages."""

from __future__ import annotations

import re
from typing import Any

from app.core import clock
from app.core.auth.models import Role
from app.core.extensions import db
from app.core.rooms import may_join
from app.supervision import runner
from app.supervision.live import room_for
from app.supervision.rules import get_rule
from bidding.models import LotStatus
from tests.factories import csrf_from, login, make_user, token_headers
from tests.supervision.crafted import NOW, World


def _seed() -> tuple[World, World, Any, Any]:
    clock.set_now(NOW)
    w, other = World(), World()
    lit = w.lot(LotStatus.OPENED, name="察右前旗中学教学设备采购")
    w.bid(lit, ip="10.0.0.7")
    w.bid(lit, ip="10.0.0.7")
    w.bid(lit, ip="10.0.0.8")
    quiet = w.lot(LotStatus.PUBLISHED, name="集宁区道路照明改造", bid_deadline=NOW.replace(day=3))
    other.lot(LotStatus.OPENED, name="别的中心的标段")
    db.session.commit()
    runner.run(rules=[get_rule("collusion.same_ip")])  # type: ignore[list-item]
    db.session.commit()
    return w, other, lit, quiet


def test_board_lights_the_collusion_point_of_the_lot_and_keeps_others_green(client: Any) -> None:
    w, _other, lit, quiet = _seed()
    login(client, w.supervisor)
    html = client.get("/supervision/").get_data(as_text=True)
    row = html.split(f'data-testid="lot-{lit.id}"')[1].split("</li>")[0]
    assert 'data-point="collusion" data-level="red"' in row
    assert 'data-point="clocks" data-level="green"' in row
    assert "预警 1 条" in row and f"/bids/lots/{lit.id}/hall" in row
    bidding = html.split('data-testid="stage-bidding"')[1].split("</section>")[0]
    assert "集宁区道路照明改造" in bidding and "3 日内截止" in bidding
    assert "别的中心的标段" not in html
    assert "collusion.same_ip" not in html and "yellow" not in re.sub(
        r'(class|data-[a-z-]+)="[^"]*"', "", html
    )
    part = client.get("/supervision/?part=board").get_data(as_text=True)
    assert "<html" not in part and f'data-testid="lot-{lit.id}"' in part


def test_provincial_supervisor_sees_every_centre_and_joins_every_room(client: Any) -> None:
    w, other, _lit, _quiet = _seed()
    provincial = make_user(Role.SUPERVISOR, display_name="自治区监督员")
    db.session.commit()
    board = client.get("/api/v1/supervision/board", headers=token_headers(provincial)).get_json()
    names = {x["name"] for x in board["lots"]}
    assert {"察右前旗中学教学设备采购", "别的中心的标段"} <= names
    assert board["counts"]["red"] == 1
    assert may_join(provincial, room_for(None)) and may_join(provincial, room_for(other.centre.id))
    assert may_join(w.supervisor, room_for(w.centre.id))
    assert not may_join(w.supervisor, room_for(other.centre.id))
    assert not may_join(w.supervisor, room_for(None))
    assert not may_join(w.staff, room_for(w.centre.id))


def test_board_is_for_supervisors_only(client: Any) -> None:
    w, *_ = _seed()
    login(client, w.staff)
    assert client.get("/supervision/").status_code == 403
    resp = client.get("/api/v1/supervision/board", headers=token_headers(w.staff))
    assert resp.status_code == 403


def test_warning_pages_send_answer_and_close(client: Any) -> None:
    w, _other, lit, _quiet = _seed()
    login(client, w.supervisor)
    listing = client.get(f"/supervision/warnings/?lot_id={lit.id}").get_data(as_text=True)
    wid = int(re.search(r'data-testid="warning-(\d+)"', listing).group(1))
    page = f"/supervision/warnings/{wid}"
    token = csrf_from(client, page)
    resp = client.post(
        f"{page}/send",
        data={"csrf_token": token, "responsible_id": w.staff.id, "message": "请核查"},
        follow_redirects=True,
    )
    assert "预警已发出。" in resp.get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_from(client, page)})
    login(client, w.staff)
    html = client.get(page).get_data(as_text=True)
    assert "答复预警" in html and "10.0.0.7" in html
    resp = client.post(
        f"{page}/answer",
        data={"csrf_token": csrf_from(client, page), "text": "已核实"},
        follow_redirects=True,
    )
    assert "答复已提交。" in resp.get_data(as_text=True)
    again = client.post(
        f"{page}/answer",
        data={"csrf_token": csrf_from(client, page), "text": "再答一次"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "该预警已答复，不能重复答复。" in again
