"""Every avoidance rule and exclusion, with the conflicting relationship built for real."""

from __future__ import annotations

import datetime as dt

import pytest

from app.core import clock
from app.core.auth.models import OrgKind
from app.core.errors import ValidationError
from app.core.extensions import db
from experts import draws
from experts.models import (
    CreditEntry,
    CreditKind,
    Employment,
    ExpertStatus,
    Leave,
    Relation,
    RelationKind,
    Sitting,
)
from tests.experts.world import EVAL_AT, add_bid, build_world, make_expert, make_pool, request
from tests.factories import credit, make_org


def eligible_after_commit(w, **kw) -> set[int]:  # noqa: ANN001
    item = request(w, **kw)
    draws.commit_draw(item, w.agency_staff)
    return set(item.eligible[0])


@pytest.fixture
def w():  # noqa: ANN201
    world = build_world()
    make_pool(world.centre, 7)
    return world


def test_expert_working_for_a_bidder_is_avoided(w) -> None:  # noqa: ANN001
    bidder = make_org(OrgKind.SUPPLIER)
    add_bid(w.lot, bidder)
    conflicted = make_expert(w.centre, employer=bidder.credit_code)
    assert conflicted.id not in eligible_after_commit(w)


def test_expert_working_for_a_non_bidder_company_is_eligible(w) -> None:  # noqa: ANN001
    other = make_org(OrgKind.SUPPLIER)
    add_bid(w.lot, make_org(OrgKind.SUPPLIER))
    fine = make_expert(w.centre, employer=other.credit_code)
    assert fine.id in eligible_after_commit(w)


def test_withdrawn_bidder_is_not_avoided_automatically(w) -> None:  # noqa: ANN001
    from bidding.bids.models import BidStatus

    bidder = make_org(OrgKind.SUPPLIER)
    add_bid(w.lot, bidder).status = BidStatus.WITHDRAWN
    fine = make_expert(w.centre, employer=bidder.credit_code)
    assert fine.id in eligible_after_commit(w)


def test_past_employer_within_three_years_is_avoided(w) -> None:  # noqa: ANN001
    bidder = make_org(OrgKind.SUPPLIER)
    add_bid(w.lot, bidder)
    expert = make_expert(w.centre)
    db.session.add(
        Employment(
            expert_id=expert.id,
            credit_code=bidder.credit_code,
            start_date=dt.date(2018, 1, 1),
            end_date=clock.cst_date(EVAL_AT) - dt.timedelta(days=365 * 3 - 10),
        )
    )
    assert expert.id not in eligible_after_commit(w)


def test_past_employer_left_more_than_three_years_ago_is_not_avoided(w) -> None:  # noqa: ANN001
    bidder = make_org(OrgKind.SUPPLIER)
    add_bid(w.lot, bidder)
    expert = make_expert(w.centre)
    db.session.add(
        Employment(
            expert_id=expert.id,
            credit_code=bidder.credit_code,
            start_date=dt.date(2010, 1, 1),
            end_date=clock.cst_date(EVAL_AT) - dt.timedelta(days=365 * 3 + 5),
        )
    )
    assert expert.id in eligible_after_commit(w)


def test_declared_relationship_to_a_bidder_is_avoided(w) -> None:  # noqa: ANN001
    bidder = make_org(OrgKind.SUPPLIER)
    add_bid(w.lot, bidder)
    expert = make_expert(w.centre)
    db.session.add(
        Relation(
            expert_id=expert.id,
            credit_code=bidder.credit_code,
            kind=RelationKind.SHAREHOLDER,
            declared_at=clock.now(),
        )
    )
    assert expert.id not in eligible_after_commit(w)


def test_purchaser_employee_is_avoided(w) -> None:  # noqa: ANN001
    expert = make_expert(w.centre, employer=w.purchaser.credit_code)
    assert expert.id not in eligible_after_commit(w)


def test_agency_employee_is_avoided(w) -> None:  # noqa: ANN001
    expert = make_expert(w.centre, employer=w.agency.credit_code)
    assert expert.id not in eligible_after_commit(w)


def test_manually_avoided_enterprise_is_avoided_with_its_reason_code(w) -> None:  # noqa: ANN001
    authority = credit()
    expert = make_expert(w.centre, employer=authority)
    item = request(w, avoided=[{"credit_code": authority, "reason": 3}])
    draws.commit_draw(item, w.agency_staff)
    assert expert.id not in item.eligible[0]
    assert {"credit_code": authority, "reason": 3, "source": "manual"} in item.avoided
    assert {"credit_code": w.purchaser.credit_code, "reason": 2, "source": "auto"} in item.avoided
    assert {"credit_code": w.agency.credit_code, "reason": 4, "source": "auto"} in item.avoided


def test_avoided_enterprise_with_invalid_credit_code_is_refused(w) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match="统一社会信用代码"):
        request(w, avoided=[{"credit_code": "91110000123456789X", "reason": 1}])


def test_unknown_avoidance_reason_code_is_refused(w) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match="回避原因代码"):
        request(w, avoided=[{"credit_code": credit(), "reason": 5}])


@pytest.mark.parametrize("status", [ExpertStatus.SUSPENDED, ExpertStatus.RETIRED])
def test_suspended_and_retired_experts_are_never_drawn(w, status) -> None:  # noqa: ANN001
    expert = make_expert(w.centre, status=status)
    assert expert.id not in eligible_after_commit(w)


def test_banned_expert_is_excluded_during_the_ban_only(w) -> None:  # noqa: ANN001
    banned = make_expert(w.centre)
    served = make_expert(w.centre)
    for e, end in (
        (banned, EVAL_AT + dt.timedelta(days=300)),
        (served, EVAL_AT - dt.timedelta(days=1)),
    ):
        db.session.add(
            CreditEntry(
                expert_id=e.id,
                kind=CreditKind.BAN,
                reason="违规",
                start_at=EVAL_AT - dt.timedelta(days=400),
                end_at=end,
                created_at=clock.now(),
            )
        )
    pool = eligible_after_commit(w)
    assert banned.id not in pool
    assert served.id in pool


def test_expert_on_leave_at_the_evaluation_time_is_excluded(w) -> None:  # noqa: ANN001
    away = make_expert(w.centre)
    back = make_expert(w.centre)
    db.session.add(
        Leave(
            expert_id=away.id,
            start_at=EVAL_AT - dt.timedelta(hours=1),
            end_at=EVAL_AT + dt.timedelta(days=2),
        )
    )
    db.session.add(
        Leave(
            expert_id=back.id,
            start_at=EVAL_AT - dt.timedelta(days=5),
            end_at=EVAL_AT - dt.timedelta(days=1),
        )
    )
    pool = eligible_after_commit(w)
    assert away.id not in pool
    assert back.id in pool


def test_frequency_cap_for_one_purchaser_in_twelve_months(w, app) -> None:  # noqa: ANN001
    from tests.experts.world import build_world as _bw  # noqa: F401

    frequent = make_expert(w.centre)
    old_timer = make_expert(w.centre)
    other_lots = []
    from bidding.models import Lot

    for i in range(3):
        lot = Lot(
            project_id=w.project.id,
            seq=10 + i,
            code=f"{w.lot.code}-x{i}",
            name="其他标段",
            category_code="A08",
            budget=w.lot.budget,
            evaluation_method=w.lot.evaluation_method,
        )
        db.session.add(lot)
        db.session.flush()
        other_lots.append(lot)
    cap = app.config["EXPERT_MAX_SITTINGS_PER_PURCHASER"]
    assert cap == 3
    for lot in other_lots:
        db.session.add(
            Sitting(
                expert_id=frequent.id,
                purchaser_id=w.purchaser.id,
                lot_id=lot.id,
                at=EVAL_AT - dt.timedelta(days=100),
            )
        )
        db.session.add(
            Sitting(
                expert_id=old_timer.id,
                purchaser_id=w.purchaser.id,
                lot_id=lot.id,
                at=EVAL_AT - dt.timedelta(days=400),
            )
        )
    pool = eligible_after_commit(w)
    assert frequent.id not in pool
    assert old_timer.id in pool


def test_centre_setting_overrides_the_frequency_cap(w) -> None:  # noqa: ANN001
    w.centre.settings = {"max_sittings_per_purchaser": 1}
    expert = make_expert(w.centre)
    from bidding.models import Lot

    lot = Lot(
        project_id=w.project.id,
        seq=9,
        code=f"{w.lot.code}-y",
        name="其他标段",
        category_code="A08",
        budget=w.lot.budget,
        evaluation_method=w.lot.evaluation_method,
    )
    db.session.add(lot)
    db.session.flush()
    db.session.add(
        Sitting(
            expert_id=expert.id,
            purchaser_id=w.purchaser.id,
            lot_id=lot.id,
            at=EVAL_AT - dt.timedelta(days=10),
        )
    )
    assert expert.id not in eligible_after_commit(w)


def test_other_centres_pool_is_used_only_when_listed(w) -> None:  # noqa: ANN001
    from tests.factories import make_centre

    far = make_centre()
    remote = make_expert(far)
    assert remote.id not in eligible_after_commit(w)


def test_remote_evaluation_draws_a_count_per_venue() -> None:
    from tests.factories import make_centre

    w = build_world()
    far = make_centre()
    local = make_pool(w.centre, 5)
    remote = make_pool(far, 4)
    item = request(
        w,
        pool_centre_ids=[w.centre.id, far.id],
        groups=[
            {"specialty": "A08", "count": 3, "reserves": 2, "centre_id": w.centre.id},
            {"specialty": "A08", "count": 2, "reserves": 2, "centre_id": far.id},
        ],
    )
    draws.commit_draw(item, w.agency_staff)
    assert set(item.eligible[0]) == {e.id for e in local}
    assert set(item.eligible[1]) == {e.id for e in remote}


def test_impossible_request_names_the_conditions_and_counts(w) -> None:  # noqa: ANN001
    bidder = make_org(OrgKind.SUPPLIER)
    add_bid(w.lot, bidder)
    for _ in range(3):
        make_expert(w.centre, employer=bidder.credit_code)
    away = make_expert(w.centre)
    db.session.add(
        Leave(
            expert_id=away.id,
            start_at=EVAL_AT - dt.timedelta(hours=1),
            end_at=EVAL_AT + dt.timedelta(hours=5),
        )
    )
    with pytest.raises(ValidationError) as err:
        request(w, groups=[{"specialty": "A08", "count": 7, "reserves": 2}])
    message = str(err.value.message)
    assert "A08" in message
    assert "需要 9 人" in message
    assert "仅剩 7 人" in message
    assert "在职单位回避 3 人" in message
    assert "请假 1 人" in message


def test_unknown_specialty_is_refused(w) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match="Z99"):
        request(w, groups=[{"specialty": "Z99", "count": 5, "reserves": 2}])


def test_fewer_than_two_reserves_is_refused(w) -> None:  # noqa: ANN001
    with pytest.raises(ValidationError, match="候补"):
        request(w, groups=[{"specialty": "A08", "count": 5, "reserves": 1}])


def test_secondary_specialty_matches_the_group(w) -> None:  # noqa: ANN001
    from experts.models import ExpertSpecialty

    expert = make_expert(w.centre, specialty="B01.01.01.01")
    db.session.add(ExpertSpecialty(expert_id=expert.id, specialty_code="A08.02.01.01"))
    assert expert.id in eligible_after_commit(w)


def test_overlapping_groups_that_a_ranking_could_leave_short_are_refused() -> None:
    w = build_world()
    make_pool(w.centre, 8, "A08.01.01.01")
    make_pool(w.centre, 4, "A08.02.01.01")
    db.session.commit()
    # 12 experts for 11 places, but the 7 of the broad group may all come from the 4.
    groups = [
        {"specialty": "A08", "count": 5, "reserves": 2},
        {"specialty": "A08.02", "count": 2, "reserves": 2},
    ]
    with pytest.raises(ValidationError, match="第 2 组.*与第 1 组的可抽专家重叠.*需要 11 人"):
        request(w, groups=groups)
    db.session.rollback()
    make_pool(w.centre, 7, "A08.02.01.01")
    item = request(w, groups=groups)
    draws.commit_draw(item, w.agency_staff)
    assert [len(p) for p in item.eligible] == [19, 11]


def test_eligible_pool_is_stored_compactly_and_read_back_exactly(w) -> None:  # noqa: ANN001
    from experts.models import Draw

    item = request(w)
    pools = [[3, 5, 900, 100000], [], [7]]
    item.eligible = pools
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Draw, item.id)
    assert again.eligible == pools
    assert again.eligible_deltas == "[[3,2,895,99100],[],[7]]"
