"""Random inspections: lists, a verifiable draw with avoidance, results, publication."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import Conflict, Forbidden, ValidationError
from app.core.extensions import db
from app.inspections import campaigns, draw_record, lists, teams
from app.inspections.models import CampaignStatus
from tests.factories import make_org, make_user
from tests.inspections.world import build

ROOT = Path(__file__).resolve().parents[2]


def _drawn(w, **kw):  # noqa: ANN001, ANN202
    data = {
        "title": "2026 年第二季度代理机构双随机抽查",
        "item_ids": [i.id for i in w.items],
        "target_count": 3,
        "inspector_count": 4,
        "team_size": 2,
    } | kw
    item = campaigns.create_campaign(w.supervisor, data)
    campaigns.commit_draw(item, w.supervisor)
    db.session.commit()
    campaigns.execute_draw(item, w.supervisor)
    db.session.commit()
    return item


def test_drawing_more_than_the_lists_hold_is_refused_with_the_count() -> None:
    w = build(n_targets=6, n_inspectors=5)
    base = {"title": "t", "item_ids": [w.items[0].id], "target_count": 2, "team_size": 2}
    with pytest.raises(ValidationError, match="只有 5 人，不能抽取 6 人"):
        campaigns.create_campaign(w.supervisor, base | {"inspector_count": 6})
    with pytest.raises(ValidationError, match="只有 6 家单位，不能抽取 7 家"):
        campaigns.create_campaign(w.supervisor, base | {"inspector_count": 2, "target_count": 7})
    with pytest.raises(ValidationError, match="每组检查人数"):
        campaigns.create_campaign(w.supervisor, base | {"inspector_count": 1})


def test_the_draw_verifies_and_no_inspector_inspects_a_former_employer(tmp_path: Path) -> None:
    w = build()
    item = _drawn(w)
    assert item.status == CampaignStatus.DRAWN and item.seed_revealed
    assert len(item.teams) == 3
    employer_of = {e.id: {x.credit_code for x in e.employers} for e in w.inspectors}
    code_of = {t.id: t.organisation.credit_code for t in w.targets}
    for team in item.teams:
        assert len(team["inspector_ids"]) == 2
        for i in team["inspector_ids"]:
            assert code_of[team["target_id"]] not in employer_of[i]
    checks = draw_record.verify_in_app(item)
    assert checks and all(ok for _n, ok in checks), checks
    # the standalone verifier of the expert draws re-runs it without the platform
    path = tmp_path / "draw.json"
    path.write_text(json.dumps(draw_record.export_record(item), ensure_ascii=False))
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "verify_draw.py"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0 and "MATCH" in out.stdout, out.stdout + out.stderr
    # a tampered team is caught
    rec = draw_record.export_record(item)
    rec["teams"][0]["inspector_ids"].reverse()
    rec["teams"][0]["inspector_ids"][0] = rec["request"]["avoid"][0][0]
    assert not all(ok for _n, ok in draw_record.verify_record(rec))
    with pytest.raises(Conflict):
        campaigns.commit_draw(item, w.supervisor)


def test_assignment_calls_a_waiting_inspector_when_the_drawn_must_all_avoid() -> None:
    got = teams.assign([10], [1, 2], [3, 4], 2, [[1, 10], [2, 10]])
    assert got == [{"target_id": 10, "inspector_ids": [3, 4]}]
    got = teams.assign([10, 11], [1, 2, 3], [], 2, [])
    assert got[1]["inspector_ids"][0] == 3  # the least loaded first


def test_a_target_nobody_may_inspect_is_refused_before_the_commitment() -> None:
    w = build(n_targets=2, n_inspectors=2)
    # both inspectors worked for the first target
    lists.add_employer(w.supervisor, w.inspectors[1], w.orgs[0].credit_code)
    item = campaigns.create_campaign(
        w.supervisor,
        {"title": "t", "item_ids": [w.items[0].id], "target_count": 1, "inspector_count": 2},
    )
    with pytest.raises(ValidationError, match="只有 0 人"):
        campaigns.commit_draw(item, w.supervisor)
    assert item.commitment_seq is None


def test_results_by_the_team_then_published_and_shown_on_the_portal(client: Any) -> None:
    w = build()
    item = _drawn(w)
    first = item.teams[0]
    member = db.session.get(type(w.inspectors[0]), first["inspector_ids"][0]).user
    outsider = make_user("supervisor")
    with pytest.raises(Forbidden):
        campaigns.enter_result(outsider, item, first["target_id"], w.items[0].id, "ok", "")
    with pytest.raises(ValidationError, match="检查情况"):
        campaigns.enter_result(member, item, first["target_id"], w.items[0].id, "issues", "")
    with pytest.raises(ValidationError, match="不是本次抽中"):
        other = next(t for t in w.targets if t.id not in {x["target_id"] for x in item.teams})
        campaigns.enter_result(member, item, other.id, w.items[0].id, "ok", "")
    campaigns.enter_result(member, item, first["target_id"], w.items[0].id, "issues", "档案不全")
    with pytest.raises(Conflict, match="未录入"):
        campaigns.publish(w.supervisor, item)
    for t in item.teams:
        for i in w.items:
            if (t["target_id"], i.id) != (first["target_id"], w.items[0].id):
                campaigns.enter_result(w.supervisor, item, t["target_id"], i.id, "ok", "")
    campaigns.publish(w.supervisor, item)
    db.session.commit()
    page = client.get(f"/inspections/public/{item.id}").get_data(as_text=True)
    assert "档案不全" in page and "发现问题，责令整改" in page
    listed = client.get("/api/v1/inspections/published").json
    assert listed[0]["id"] == item.id and listed[0]["status"] == "published"
    with pytest.raises(Conflict):
        campaigns.publish(w.supervisor, item)


def test_lists_refuse_duplicates_and_wrong_kinds() -> None:
    w = build(n_targets=2, n_inspectors=2)
    with pytest.raises(Conflict):
        lists.add_target(w.supervisor, w.orgs[0])
    with pytest.raises(ValidationError):
        lists.add_target(w.supervisor, make_org("purchaser"))
    with pytest.raises(Conflict):
        lists.add_inspector(w.supervisor, w.inspectors[0].user)


def test_the_api_creates_draws_exports_and_verifies_a_campaign(client: Any) -> None:
    from tests.factories import token_headers

    w = build()
    db.session.commit()
    boss = token_headers(w.supervisor)
    body = {
        "title": "接口抽查",
        "item_ids": [w.items[0].id],
        "target_count": 2,
        "inspector_count": 6,
    }
    resp = client.post("/api/v1/inspections/campaigns", json=body, headers=boss)
    assert resp.status_code == 422 and "只有 5 人" in resp.json["message"]
    resp = client.post(
        "/api/v1/inspections/campaigns", json=body | {"inspector_count": 3}, headers=boss
    )
    assert resp.status_code == 201, resp.json
    cid = resp.json["id"]
    assert client.get(f"/api/v1/inspections/campaigns/{cid}/draw-record").status_code == 404
    outsider = token_headers(make_user("supplier", organisation=w.orgs[0]))
    assert (
        client.post(f"/api/v1/inspections/campaigns/{cid}/draw", headers=outsider).status_code
        == 403
    )
    drawn = client.post(f"/api/v1/inspections/campaigns/{cid}/draw", headers=boss)
    assert drawn.status_code == 200 and drawn.json["status"] == "drawn"
    assert len(drawn.json["teams"]) == 2 and drawn.json["seed"]
    record = client.get(f"/api/v1/inspections/campaigns/{cid}/draw-record").json
    assert record["format"] == "tenderhall-inspection-draw/1"
    assert all(ok for _n, ok in draw_record.verify_record(record))
    assert client.get(f"/api/v1/inspections/campaigns/{cid}/verify").json["match"] is True
    assert client.get("/api/v1/inspections/published").json == []
    again = client.post(f"/api/v1/inspections/campaigns/{cid}/draw", headers=boss)
    assert again.status_code == 409
