"""Supervision: lots by status, the audit log browser, the chain check and `flask audit verify`."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, OrgKind, Role, User
from app.core.extensions import db
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from tests.factories import csrf_from, login, make_centre, make_org, make_user

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _lot(centre: Centre, staff: User, n: int, status: LotStatus, name: str) -> Lot:
    project = Project(
        code=f"P-{centre.code}-{n}",
        trade_id=f"T-{centre.code}-{n}",
        name=f"{name}项目",
        centre_id=centre.id,
        purchaser_id=make_org(OrgKind.PURCHASER).id,
        agency_id=make_org(OrgKind.AGENCY).id,
        method=Method.OPEN,
        category_code="B",
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code=f"L-{centre.code}-{n}",
        name=name,
        category_code="B",
        budget=Decimal("1000000.00"),
        evaluation_method=EvalMethod.COMPREHENSIVE,
        status=status,
        bid_deadline=NOW + dt.timedelta(days=n),
    )
    db.session.add(lot)
    db.session.flush()
    return lot


def test_supervisor_sees_own_centres_lots_grouped_by_stage(client: Any) -> None:
    clock.set_now(NOW)
    mine, other = make_centre(name="乌兰察布市公共资源交易中心"), make_centre()
    staff = make_user(Role.STAFF)
    _lot(mine, staff, 1, LotStatus.PUBLISHED, "察右前旗中学教学设备采购")
    _lot(mine, staff, 2, LotStatus.FAILED, "集宁区道路照明改造")
    _lot(other, staff, 3, LotStatus.PUBLISHED, "别的中心的标段")
    supervisor = make_user(Role.SUPERVISOR, centre=mine)
    db.session.commit()
    login(client, supervisor)
    html = client.get("/supervision/").get_data(as_text=True)
    bidding = html.split('data-testid="stage-bidding"')[1].split("</section>")[0]
    assert "察右前旗中学教学设备采购" in bidding
    assert "3 日内截止" in bidding  # deadline one day away
    # An ended lot with every point green is counted, not listed.
    assert "集宁区道路照明改造" not in html
    assert "另有 1 个已结束的标段" in html.split('data-testid="quiet-ended"')[1]
    assert "别的中心的标段" not in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.EXPERT])
def test_supervision_is_closed_to_other_roles(client: Any, role: Role) -> None:
    user = make_user(role)
    db.session.commit()
    login(client, user)
    assert client.get("/supervision/").status_code == 403
    assert client.get("/supervision/audit").status_code == 403


def test_audit_browser_filters_and_shows_newest_first(client: Any) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    db.session.commit()
    for n in range(3):
        record("lot.updated", data={"n": n}, object_type="lot", object_id=7)
    record("lot.published", object_type="lot", object_id=8)
    db.session.commit()
    login(client, supervisor)
    html = client.get("/supervision/audit?action=lot.updated&object_id=7").get_data(as_text=True)
    table = html.split('data-testid="audit-list"')[1]
    # Each entry reads as words: the action as a sentence, its data as a labelled list.
    assert "标段进入招标" not in table and table.count("修改标段") == 3
    assert "lot.updated" not in table and "{" not in table
    numbers = re.findall(r"<dt>分片数</dt><dd>(\d)</dd>", table)
    assert numbers == ["2", "1", "0"]


def test_verify_button_reports_an_intact_chain(client: Any) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    record("test.one")
    db.session.commit()
    login(client, supervisor)
    resp = client.post(
        "/supervision/audit", data={"csrf_token": csrf_from(client, "/supervision/audit")}
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "校验通过" in html.split('data-testid="verify-result"')[1]


def _seed_log(n: int = 5) -> None:
    for i in range(1, n + 1):
        record("test.step", data={"i": i}, object_type="test", object_id=i)
    db.session.commit()


def _verify_cli(app: Any) -> Any:
    db.session.remove()
    return app.test_cli_runner().invoke(args=["audit", "verify"])


def test_verify_button_reports_where_the_chain_breaks(client: Any) -> None:
    supervisor = make_user(Role.SUPERVISOR)
    db.session.commit()
    _seed_log()
    db.session.execute(text("UPDATE audit_entry SET data = :d WHERE seq = 3"), {"d": '{"i":99}'})
    db.session.commit()
    login(client, supervisor)
    resp = client.post(
        "/supervision/audit", data={"csrf_token": csrf_from(client, "/supervision/audit")}
    )
    result = resp.get_data(as_text=True).split('data-testid="verify-result"')[1].split("</div>")[0]
    assert "校验失败" in result
    assert "第 3 条" in result


def test_intact_log_verifies_from_the_command_line(app: Any) -> None:
    _seed_log()
    result = _verify_cli(app)
    assert result.exit_code == 0
    assert "5 entries verified" in result.output


def test_cli_finds_an_entry_changed_in_the_database(app: Any) -> None:
    _seed_log()
    db.session.execute(text("UPDATE audit_entry SET actor_name = 'mallory' WHERE seq = 2"))
    db.session.commit()
    result = _verify_cli(app)
    assert result.exit_code == 1
    assert "entry 2" in result.output


def test_cli_finds_an_entry_deleted_from_the_middle(app: Any) -> None:
    _seed_log()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 4"))
    db.session.commit()
    result = _verify_cli(app)
    assert result.exit_code == 1
    assert "entry 4" in result.output


def test_cli_finds_entries_swapped_in_order(app: Any) -> None:
    _seed_log()
    # Swap the contents of entries 2 and 3 while keeping their numbers.
    db.session.execute(text("UPDATE audit_entry SET seq = 1000 WHERE seq = 2"))
    db.session.execute(text("UPDATE audit_entry SET seq = 2 WHERE seq = 3"))
    db.session.execute(text("UPDATE audit_entry SET seq = 3 WHERE seq = 1000"))
    db.session.commit()
    result = _verify_cli(app)
    assert result.exit_code == 1
    assert "entry 2" in result.output


def test_cli_finds_the_tail_cut_off(app: Any) -> None:
    _seed_log()
    db.session.execute(text("DELETE FROM audit_entry WHERE seq = 5"))
    db.session.commit()
    result = _verify_cli(app)
    assert result.exit_code == 1
    assert "entry 5" in result.output


def test_who_downloaded_or_bid_stays_sealed_in_the_audit_browser_until_the_deadline(
    client: Any,
) -> None:
    clock.set_now(NOW)
    centre = make_centre()
    supervisor = make_user(Role.SUPERVISOR, centre=centre)
    staff = make_user(Role.STAFF, centre=centre)
    lot = _lot(centre, staff, 3, LotStatus.PUBLISHED, "道路改造施工")
    supplier = make_user(Role.SUPPLIER, username="hengda_bidder", totp=False)
    record("tender_document.download", data={"lot_id": lot.id}, actor=supplier)
    record("bid.submitted", data={"lot": lot.id, "sha256": "ab" * 32}, actor=supplier)
    db.session.commit()
    login(client, supervisor)
    before = client.get("/supervision/audit").get_data(as_text=True)
    before = before.split('data-testid="audit-list"')[1]
    assert "下载招标文件" in before and "递交投标文件" in before
    assert "hengda_bidder" not in before
    assert "截止前保密" in before
    by_actor = client.get("/supervision/audit?actor=hengda_bidder").get_data(as_text=True)
    assert "下载招标文件" not in by_actor.split('data-testid="audit-list"')[1]
    clock.set_now(lot.bid_deadline + dt.timedelta(minutes=1))
    after = client.get("/supervision/audit").get_data(as_text=True)
    assert "hengda_bidder" in after
