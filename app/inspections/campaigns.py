"""Use cases of a campaign: create, draw (commit, then draw), enter results, publish.

The draw is the expert draws' commit–reveal (experts/draw.py): the pools and a secret
seed's hash go into the audit log and are committed to the database before anything is
drawn; the public value is the log's Merkle root right after that entry; the seed is
revealed with the result, since an inspection's draw is public (一公开). Two groups: the
targets (drawn: `target_count`), then the whole inspector list in drawn order (drawn:
`inspector_count`, the rest waiting); `teams.assign` makes the teams from them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import current_root, record
from app.core.audit.chain import canonical_json
from app.core.auth.models import User
from app.core.crypto.secretbox import SecretBoxError, open_secret, seal_secret
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from app.inspections import actions, policies, teams
from app.inspections.models import (
    Campaign,
    CampaignStatus,
    InspectionItem,
    InspectionResult,
    Outcome,
    RosterEntry,
    RosterKind,
)
from experts import draw

SEED_PURPOSE = "inspection-draw-seed"
MAX_COUNT = 10_000


def _int(value: Any, field: str, low: int) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_l("请填写整数。"), field=field) from exc
    if not low <= n <= MAX_COUNT:
        raise ValidationError(_l("数值须在 %(a)s 至 %(b)s 之间。", a=low, b=MAX_COUNT), field=field)
    return n


def pool(centre_id: int, kind: RosterKind) -> list[RosterEntry]:
    return list(
        db.session.execute(
            select(RosterEntry)
            .where(
                RosterEntry.centre_id == centre_id,
                RosterEntry.kind == kind,
                RosterEntry.active.is_(True),
            )
            .order_by(RosterEntry.id)
        ).scalars()
    )


def _check_counts(centre_id: int, targets: int, inspectors: int, team_size: int) -> None:
    """Drawing more than a list holds is refused with the count the list has."""
    have_targets = len(pool(centre_id, RosterKind.TARGET))
    have_inspectors = len(pool(centre_id, RosterKind.INSPECTOR))
    if targets > have_targets:
        raise ValidationError(
            _l(
                "检查对象名录中只有 %(n)s 家单位，不能抽取 %(m)s 家。",
                n=have_targets,
                m=targets,
            ),
            field="target_count",
        )
    if inspectors > have_inspectors:
        raise ValidationError(
            _l(
                "检查人员名录中只有 %(n)s 人，不能抽取 %(m)s 人。",
                n=have_inspectors,
                m=inspectors,
            ),
            field="inspector_count",
        )
    if team_size > inspectors:
        raise ValidationError(
            _l("每组检查人数（%(k)s）不能多于抽取的检查人员（%(m)s）。", k=team_size, m=inspectors),
            field="team_size",
        )


def create_campaign(actor: User, data: dict[str, Any]) -> Campaign:
    policies.ensure_can_manage_inspections(actor)
    title = str(data.get("title") or "").strip()
    if not title:
        raise ValidationError(_l("请填写抽查活动名称。"), field="title")
    item_ids = sorted({int(i) for i in data.get("item_ids") or []})
    items = (
        db.session.execute(
            select(InspectionItem.id).where(
                InspectionItem.id.in_(item_ids),
                InspectionItem.centre_id == actor.centre_id,
                InspectionItem.active.is_(True),
            )
        )
        .scalars()
        .all()
    )
    if not item_ids or len(items) != len(item_ids):
        raise ValidationError(_l("请从本中心的抽查事项清单中选择至少一项。"), field="item_ids")
    target_count = _int(data.get("target_count"), "target_count", 1)
    inspector_count = _int(data.get("inspector_count"), "inspector_count", 1)
    team_size = _int(data.get("team_size", 2), "team_size", 1)
    _check_counts(actor.centre_id, target_count, inspector_count, team_size)
    item = Campaign(
        centre_id=actor.centre_id,
        title=title[:200],
        item_ids=item_ids,
        target_count=target_count,
        inspector_count=inspector_count,
        team_size=team_size,
        status=CampaignStatus.DRAFT,
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(
        actions.CAMPAIGN_CREATED,
        item,
        {
            "title": item.title,
            "item_ids": item_ids,
            "target_count": target_count,
            "inspector_count": inspector_count,
            "team_size": team_size,
        },
        actor=actor,
    )
    return item


def avoid_pairs(targets: list[RosterEntry], inspectors: list[RosterEntry]) -> list[list[int]]:
    """[inspector id, target id] for every inspector who worked for, or works for, a target."""
    pairs: list[list[int]] = []
    for i in inspectors:
        codes = {e.credit_code for e in i.employers}
        own = i.user.organisation_id if i.user is not None else None
        for t in targets:
            org = t.organisation
            if org is None:
                continue
            if org.id == own or (org.credit_code and org.credit_code in codes):
                pairs.append([i.id, t.id])
    return pairs


def commit_draw(item: Campaign, actor: User) -> Campaign:
    """Phase 1: fix both lists, the avoidance pairs and a secret seed in the audit log."""
    policies.ensure_can_manage_campaign(actor, item)
    if item.status != CampaignStatus.DRAFT:
        raise Conflict(_l("该抽查活动已抽取，不能重新抽取。"))
    _check_counts(item.centre_id, item.target_count, item.inspector_count, item.team_size)
    targets = pool(item.centre_id, RosterKind.TARGET)
    inspectors = pool(item.centre_id, RosterKind.INSPECTOR)
    avoid = avoid_pairs(targets, inspectors)
    barred: dict[int, int] = {}
    for _i, t in avoid:
        barred[t] = barred.get(t, 0) + 1
    for t in targets:
        may = len(inspectors) - barred.get(t.id, 0)
        if may < item.team_size:
            raise ValidationError(
                _l(
                    "检查对象 %(n)s 可派的检查人员（原单位人员回避后）只有 %(k)s 人，少于每组 %(s)s 人。",
                    n=t.name,
                    k=may,
                    s=item.team_size,
                ),
                field="team_size",
            )
    item.request = {
        "campaign_id": item.id,
        "centre_id": item.centre_id,
        "title": item.title,
        "item_ids": list(item.item_ids),
        "team_size": item.team_size,
        "groups": [
            {"name": "targets", "count": item.target_count, "reserves": 0},
            {
                "name": "inspectors",
                "count": item.inspector_count,
                "reserves": len(inspectors) - item.inspector_count,
            },
        ],
        "avoid": avoid,
    }
    item.eligible = [[t.id for t in targets], [i.id for i in inspectors]]
    item.pool_hashes = [draw.pool_hash(p) for p in item.eligible]
    seed = draw.new_seed()
    item.seed_sealed = seal_secret(seed, SEED_PURPOSE)
    item.seed_hash = draw.commit(seed)
    entry = record(
        actions.DRAW_COMMITTED,
        item,
        {
            "request": item.request,
            "pool_hashes": item.pool_hashes,
            "pool_sizes": [len(p) for p in item.eligible],
            "seed_hash": item.seed_hash,
            "rule": draw.CURRENT_RULE,
        },
        actor=actor,
    )
    item.commitment_seq = entry.seq
    # record() holds the log's head until commit: the head is this entry.
    size, root = current_root()
    assert size == entry.seq
    item.public_value = root
    item.status = CampaignStatus.COMMITTED
    item.committed_at = clock.now()
    db.session.flush()
    return item


def _seed(item: Campaign) -> bytes:
    try:
        seed = open_secret(item.seed_sealed or "", SEED_PURPOSE)
    except SecretBoxError as exc:
        raise Conflict(_l("抽取种子无法解封，该抽取无法完成。")) from exc
    if draw.commit(seed) != item.seed_hash:
        raise Conflict(_l("抽取种子与承诺的哈希不符，该抽取无法完成。"))
    return seed


def teams_of(request: dict[str, Any], result: list[dict[str, list[int]]]) -> list[dict[str, Any]]:
    return teams.assign(
        result[0]["invited"],
        result[1]["invited"],
        result[1]["reserves"],
        int(request["team_size"]),
        request["avoid"],
    )


def execute_draw(item: Campaign, actor: User) -> Campaign:
    """Phase 2 (also the resume path): draw with the committed seed, make the teams, and
    reveal the seed at once: the draw of an inspection is public."""
    policies.ensure_can_manage_campaign(actor, item)
    if item.status != CampaignStatus.COMMITTED:
        raise Conflict(_l("只有已承诺的抽取可以执行。"))
    if item.eligible is None or item.public_value is None or item.request is None:
        raise Conflict(_l("抽取承诺不完整。"))
    seed = _seed(item)
    mixed = draw.mixed_seed(seed, bytes.fromhex(item.public_value))
    result = draw.select(mixed, item.eligible, item.request["groups"], draw.CURRENT_RULE)
    item.result = result
    item.teams = teams_of(item.request, result)
    item.seed_revealed = seed.hex()
    item.status = CampaignStatus.DRAWN
    item.drawn_at = clock.now()
    db.session.flush()
    record(
        actions.DRAW_DRAWN,
        item,
        {
            "result_sha256": hashlib.sha256(canonical_json(result).encode()).hexdigest(),
            "teams": item.teams,
            "seed": item.seed_revealed,
        },
        actor=actor,
    )
    return item


def enter_result(
    actor: User, item: Campaign, target_id: int, item_id: int, outcome: str, finding: str
) -> InspectionResult:
    if item.status != CampaignStatus.DRAWN:
        raise Conflict(_l("只有已抽取、尚未公开结果的抽查活动可以录入结果。"))
    if target_id not in [t["target_id"] for t in item.teams or []]:
        raise ValidationError(_l("该单位不是本次抽中的检查对象。"), field="target_id")
    policies.ensure_can_enter_result(actor, item, target_id)
    if item_id not in item.item_ids:
        raise ValidationError(_l("该事项不在本次抽查事项中。"), field="item_id")
    try:
        kind = Outcome(outcome)
    except ValueError as exc:
        raise ValidationError(_l("请选择检查结论。"), field="outcome") from exc
    finding = (finding or "").strip()
    if kind != Outcome.OK and not finding:
        raise ValidationError(_l("发现问题时须填写检查情况。"), field="finding")
    row = db.session.execute(
        select(InspectionResult).where(
            InspectionResult.campaign_id == item.id,
            InspectionResult.target_id == target_id,
            InspectionResult.item_id == item_id,
        )
    ).scalar_one_or_none()
    if row is None:
        row = InspectionResult(campaign_id=item.id, target_id=target_id, item_id=item_id)
        db.session.add(row)
    row.outcome = kind
    row.finding = finding
    row.entered_by_id = actor.id
    row.entered_at = clock.now()
    db.session.flush()
    record(
        actions.RESULT_ENTERED,
        item,
        {"target_id": target_id, "item_id": item_id, "outcome": kind.value},
        actor=actor,
    )
    return row


def missing_results(item: Campaign) -> list[tuple[int, int]]:
    """(target id, item id) pairs still without a result."""
    have = set(
        db.session.execute(
            select(InspectionResult.target_id, InspectionResult.item_id).where(
                InspectionResult.campaign_id == item.id
            )
        ).all()
    )
    return [
        (t["target_id"], i)
        for t in item.teams or []
        for i in item.item_ids
        if (t["target_id"], i) not in have
    ]


def publish(actor: User, item: Campaign) -> Campaign:
    policies.ensure_can_manage_campaign(actor, item)
    if item.status == CampaignStatus.PUBLISHED:
        raise Conflict(_l("该抽查活动的结果已公开。"))
    if item.status != CampaignStatus.DRAWN:
        raise Conflict(_l("抽取完成后方可公开结果。"))
    missing = missing_results(item)
    if missing:
        raise Conflict(_l("还有 %(n)s 项检查结果未录入，录入完毕后方可公开。", n=len(missing)))
    item.status = CampaignStatus.PUBLISHED
    item.published_at = clock.now()
    db.session.flush()
    record(actions.CAMPAIGN_PUBLISHED, item, {}, actor=actor)
    return item
