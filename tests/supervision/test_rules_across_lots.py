"""The rules that look across lots, on crafted data: the same bidders meeting in one
purchaser's lots, one winner taking a purchaser's awards, a bloc of members scoring together,
experts' declines clustered on one purchaser or one lot. Each lit and left dark, and found
again without a second warning."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from app.core import clock
from app.core.extensions import db
from app.supervision.models import Level
from app.supervision.rules.scoring_bloc import correlation
from app.supervision.warning_text import sentence
from bidding.models import Lot, LotStatus
from bidding.results.models import LotResult
from tests.supervision.crafted import NOW, World
from tests.supervision.test_rules import _open, _run, _scored


def test_the_same_bidders_meeting_in_three_lots_of_one_purchaser(app: Any) -> None:
    clock.set_now(NOW)
    w = World()
    a, b, c, d, e, f, g = (w.supplier() for _ in range(7))
    for _ in range(3):  # a, b and c together in three lots, each with a newcomer
        lot = w.lot()
        for s in (a, b, c):
            w.bid(lot, s)
        w.bid(lot)
    for _ in range(2):  # d and e: twice within the year…
        lot = w.lot()
        w.bid(lot, d)
        w.bid(lot, e)
    old = w.lot(bid_deadline=NOW - dt.timedelta(days=400))  # …and once long ago
    w.bid(old, d)
    w.bid(old, e)
    other = World(w.centre)  # another purchaser: d and e meet there once more
    lot = other.lot()
    w.bid(lot, d)
    w.bid(lot, e)
    for _ in range(3):  # f and g meet three times, but each enters many lots without the other
        lot = w.lot()
        w.bid(lot, f)
        w.bid(lot, g)
    for s in (f, g):
        for _ in range(3):
            w.bid(w.lot(), s)
    db.session.commit()
    first = _run("competition.same_bidders")
    (ring,) = _open("competition.same_bidders")
    assert sorted(ring.facts["suppliers"]) == sorted(x[0].name for x in (a, b, c))
    assert ring.facts["lots"] == 3 and ring.level == Level.YELLOW
    assert ring.facts["purchaser"] == w.purchaser.name and ring.centre_id == w.centre.id
    assert w.purchaser.name in sentence(ring)
    again = _run("competition.same_bidders", lot_ids=[ring.lot_id])  # type: ignore[list-item]
    assert first.raised == 1 and again.raised == 0 and again.found == 1
    assert len(_open("competition.same_bidders")) == 1
    # Counting the meetings alone (a share of 0), f and g are a ring too.
    app.config["SUPERVISION_MEETING_SHARE"] = 0
    try:
        _run("competition.same_bidders")
    finally:
        app.config["SUPERVISION_MEETING_SHARE"] = 0.75
    rings = {tuple(sorted(x.facts["suppliers"])) for x in _open("competition.same_bidders")}
    assert tuple(sorted((f[0].name, g[0].name))) in rings and len(rings) == 2


def _award(w: World, winner: Any, days_ago: int = 30) -> Lot:
    lot = w.lot(LotStatus.AWARDED)
    at = NOW - dt.timedelta(days=days_ago)
    db.session.add(
        LotResult(
            lot_id=lot.id,
            source="test",
            report_sha256="0" * 64,
            report_at=at,
            publish_by=at,
            awarded_at=at,
            winner_supplier_id=winner[0].id,
            award_price=Decimal("900000.00"),
            created_at=at,
        )
    )
    db.session.flush()
    return lot


def test_one_winner_taking_most_of_a_purchasers_awards(app: Any) -> None:
    clock.set_now(NOW)
    favoured = World()
    x = favoured.supplier()
    for _ in range(3):  # three of five awards: 60 % over the 50 % threshold
        _award(favoured, x)
    for _ in range(2):
        _award(favoured, favoured.supplier())
    _award(favoured, x, days_ago=500)  # outside the window: not counted
    spread = World(favoured.centre)  # two of five: no one dominates
    for _ in range(2):
        _award(spread, x)
    for _ in range(3):
        _award(spread, spread.supplier())
    few = World(favoured.centre)  # four of four, but too few awards to say anything
    for _ in range(4):
        _award(few, x)
    db.session.commit()
    _run("competition.winner_share")
    (found,) = _open("competition.winner_share")
    assert found.facts["purchaser"] == favoured.purchaser.name
    assert found.facts["supplier"] == x[0].name
    assert (found.facts["wins"], found.facts["awards"], found.facts["percent"]) == (3, 5, 60)
    assert "60%" in sentence(found)
    # The threshold is the centre's to set: at 60 % the same share no longer lights.
    app.config["SUPERVISION_WINNER_SHARE"] = 0.6
    try:
        report = _run("competition.winner_share")
    finally:
        app.config["SUPERVISION_WINNER_SHARE"] = 0.5
    assert report.found == 0 and report.raised == 0


def test_correlation_of_deviations() -> None:
    assert correlation([1.0, 2.0, 3.0], [2.0, 4.0, 6.5]) > 0.99
    assert correlation([1.0, 2.0, 3.0], [3.0, 2.0, 1.0]) == -1.0
    assert correlation([1.0, 2.0, 3.0], [5.0, 5.0, 5.0]) == 0.0  # no movement, no bloc


def _bloc_world() -> tuple[World, list[Any]]:
    from app.core.auth.models import Role
    from tests.factories import make_user

    w = World()
    experts = [make_user(Role.EXPERT, display_name=f"评委{i}") for i in range(5)]
    bidders = [w.supplier() for _ in range(3)]
    base = [80, 70, 60]
    # Three honest members stray a point either way, each in their own pattern; the last two
    # move together, far and in both directions, lot after lot.
    honest = [
        [[1, -1, 0], [0, 1, -1], [-1, 0, 1]],
        [[-1, 0, 1], [1, -1, 0], [0, 1, -1]],
        [[0, 1, -1], [-1, 0, 1], [1, -1, 0]],
    ]
    bloc = [[9, -7, 2], [-6, 8, -3], [7, -5, 10]]
    for n in range(3):
        totals = [[str(base[j] + honest[i][n][j]) for j in range(3)] for i in range(3)]
        totals.append([str(base[j] + bloc[n][j]) for j in range(3)])
        totals.append([str(base[j] + bloc[n][j] + (j == n)) for j in range(3)])
        _scored(w, experts, bidders, totals)
    db.session.commit()
    return w, experts


def test_a_bloc_of_members_whose_scores_move_together(app: Any) -> None:
    clock.set_now(NOW)
    _w, _experts = _bloc_world()
    first = _run("scoring.bloc")
    (bloc,) = _open("scoring.bloc")
    assert bloc.facts["members"] == ["评委3", "评委4"] and bloc.facts["lots"] == 3
    assert float(bloc.facts["correlation"]) > 0.99
    assert "评委3" in sentence(bloc)
    again = _run("scoring.bloc")
    assert first.raised == 1 and again.raised == 0 and len(_open("scoring.bloc")) == 1


def test_a_bloc_needs_the_least_number_of_shared_lots(app: Any) -> None:
    clock.set_now(NOW)
    _bloc_world()
    app.config["SUPERVISION_BLOC_MIN_LOTS"] = 4  # they met in three lots only
    try:
        report = _run("scoring.bloc")
    finally:
        app.config["SUPERVISION_BLOC_MIN_LOTS"] = 3
    assert report.found == 0 and _open("scoring.bloc") == []


def _decline(w: World, lot: Lot | None, experts: list[Any], days_ago: int = 20) -> Lot:
    from experts.models import Draw, DrawStatus, Invitation, InvitationState

    lot = lot or w.lot(LotStatus.PUBLISHED)
    at = NOW - dt.timedelta(days=days_ago)
    draw = Draw(
        lot_id=lot.id,
        requested_by_id=w.staff.id,
        evaluation_at=at,
        earliest_at=at - dt.timedelta(days=1),
        venue="评标室",
        status=DrawStatus.DRAWN,
        created_at=at - dt.timedelta(days=1),
    )
    db.session.add(draw)
    db.session.flush()
    for rank, expert in enumerate(experts):
        db.session.add(
            Invitation(
                draw_id=draw.id,
                root_id=draw.id,
                slot=0,
                rank=rank,
                expert_id=expert.id,
                state=InvitationState.DECLINED,
                answered_at=at - dt.timedelta(hours=12),
                reason="时间冲突",
            )
        )
    db.session.flush()
    return lot


def test_declines_clustered_on_one_purchaser_or_on_one_lot() -> None:
    from experts.pool import seed_specialties
    from tests.experts.world import make_expert

    clock.set_now(NOW)
    seed_specialties()
    w = World()
    elsewhere = World(w.centre)
    shy, busy = make_expert(w.centre, name="回避专家"), make_expert(w.centre, name="忙碌专家")
    for _ in range(3):  # three of shy's four declines on w's purchaser (and agency)
        _decline(w, None, [shy])
    _decline(elsewhere, None, [shy])
    for world in (w, w, elsewhere, elsewhere):  # busy: two and two, no pattern
        _decline(world, None, [busy])
    _decline(w, None, [shy], days_ago=500)  # long ago: not counted
    crowd = [make_expert(w.centre, name=f"专家{i}") for i in range(9)]
    shunned = _decline(elsewhere, None, crowd[:5])  # five decline one lot
    _decline(elsewhere, None, crowd[5:])  # four: not yet a cluster
    db.session.commit()
    first = _run("experts.declines")
    found = _open("experts.declines")
    by_kind = {(x.facts["kind"], x.facts.get("role")): x for x in found}
    assert set(by_kind) == {("expert", "purchaser"), ("expert", "agency"), ("lot", None)}
    person = by_kind[("expert", "purchaser")]
    assert person.facts["expert"] == "回避专家" and person.facts["org"] == w.purchaser.name
    assert (person.facts["times"], person.facts["declines"]) == (3, 4)
    assert by_kind[("expert", "agency")].facts["org"] == w.agency.name
    lot = by_kind[("lot", None)]
    assert lot.lot_id == shunned.id and lot.facts["experts"] == 5
    assert "5 位" in sentence(lot) and "采购人" in sentence(person)
    again = _run("experts.declines")
    assert first.raised == 3 and again.raised == 0 and len(_open("experts.declines")) == 3
