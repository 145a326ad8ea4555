"""Use cases of draws: request, commit, draw, resume, cancel, reveal, and the 补抽.

A draw moves pending → committed → drawn → revealed (or → cancelled). The commitment is
written to the audit log and committed to the database before anything is ranked; a
committed draw can only be resumed (same seed, same result) or cancelled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import current_root, record
from app.core.audit.chain import canonical_json
from app.core.audit.models import AuditEntry
from app.core.auth import credit_code
from app.core.auth.models import Centre, User
from app.core.crypto.secretbox import SecretBoxError, open_secret, seal_secret
from app.core.errors import Conflict, NotFound, TooEarly, TooLate, ValidationError
from app.core.extensions import db
from bidding.models import Lot
from experts import actions, avoidance, draw, policies, settings
from experts.invitations import drop_sitting, fill_vacancies, tell_expert
from experts.models import (
    ACTIVE_SEATS,
    AvoidReason,
    Draw,
    DrawStatus,
    Invitation,
    InvitationState,
    Specialty,
)

SEED_PURPOSE = "expert-draw-seed"
LIVE = (DrawStatus.PENDING, DrawStatus.COMMITTED, DrawStatus.DRAWN, DrawStatus.REVEALED)


# ---------------------------------------------------------------- request
def _check_groups(groups: list[dict[str, Any]], pools: list[int]) -> list[dict[str, Any]]:
    if not groups:
        raise ValidationError(_l("请至少填写一个抽取组（专业 + 人数）。"), field="groups")
    min_reserves = settings.min_reserves()
    out = []
    for i, g in enumerate(groups):
        code = str(g.get("specialty", "")).strip()
        if db.session.get(Specialty, code) is None:
            raise ValidationError(
                _l("第 %(n)s 组的专业代码 %(c)s 不在专业分类表中。", n=i + 1, c=code or "（空）"),
                field="groups",
            )
        count, reserves = int(g.get("count", 0)), int(g.get("reserves", min_reserves))
        if count < 1:
            raise ValidationError(_l("第 %(n)s 组的抽取人数须至少 1 人。", n=i + 1), field="groups")
        if reserves < min_reserves:
            raise ValidationError(
                _l("第 %(n)s 组的候补人数须不少于 %(m)s 人。", n=i + 1, m=min_reserves),
                field="groups",
            )
        centre_id = g.get("centre_id") or None
        if centre_id is not None and int(centre_id) not in pools:
            raise ValidationError(
                _l("第 %(n)s 组的专家库（中心 %(c)s）不在所选专家库中。", n=i + 1, c=centre_id),
                field="groups",
            )
        out.append(
            {
                "specialty": code,
                "count": count,
                "reserves": reserves,
                "centre_id": int(centre_id) if centre_id else None,
                "slot": i,
            }
        )
    return out


def _check_avoided(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    allowed = {int(r) for r in AvoidReason}
    out = []
    for i, item in enumerate(items):
        code = str(item.get("credit_code", "")).strip().upper()
        if not credit_code.is_valid(code):
            raise ValidationError(
                _l(
                    "第 %(n)s 个回避企业的统一社会信用代码 %(c)s 无效（18 位，校验位须正确）。",
                    n=i + 1,
                    c=code or "（空）",
                ),
                field="avoided",
            )
        try:
            reason = int(item.get("reason", 9))
        except (TypeError, ValueError):
            reason = -1
        if reason not in allowed:
            raise ValidationError(
                _l(
                    "回避原因代码须为 1（投标人）、2（采购人）、3（监管部门）、4（代理机构）或 9（其他）。"
                ),
                field="avoided",
            )
        out.append({"credit_code": code, "reason": reason, "source": "manual"})
    return out


# Checks a higher floor registers: a root draw whose committee was sealed after a long
# break is released — the lot may draw a new committee, without that family's experts.
_released_checks: list[Callable[[Draw], bool]] = []


def register_released_check(check: Callable[[Draw], bool]) -> None:
    if check not in _released_checks:
        _released_checks.append(check)


def is_released(root: Draw) -> bool:
    return any(check(root) for check in _released_checks)


def _live_root(lot_id: int, exclude: int | None = None) -> Draw | None:
    stmt = select(Draw).where(
        Draw.lot_id == lot_id, Draw.parent_id.is_(None), Draw.status.in_(LIVE)
    )
    if exclude:
        stmt = stmt.where(Draw.id != exclude)
    return next((r for r in db.session.execute(stmt).scalars() if not is_released(r)), None)


def _released_experts(lot_id: int) -> list[int]:
    """Experts of the lot's released families: never drawn again for the same lot."""
    roots = db.session.execute(
        select(Draw).where(Draw.lot_id == lot_id, Draw.parent_id.is_(None))
    ).scalars()
    ids = [r.id for r in roots if is_released(r)]
    if not ids:
        return []
    return sorted(
        set(
            db.session.execute(
                select(Invitation.expert_id).where(Invitation.root_id.in_(ids))
            ).scalars()
        )
    )


def request_draw(lot: Lot, actor: User, data: dict[str, Any]) -> Draw:
    """Register a draw request; the draw itself runs inside the window before the evaluation."""
    policies.ensure_can_request_draw(actor, lot)
    existing = _live_root(lot.id)
    if existing is not None:
        raise Conflict(
            _l(
                "该标段已有抽取申请（编号 %(id)s，状态 %(s)s）：已承诺的抽取只能继续或作废，不能另行抽取。",
                id=existing.id,
                s=existing.status.value,
            )
        )
    evaluation_at: dt.datetime = data["evaluation_at"]
    now = clock.now()
    if evaluation_at <= now:
        raise TooLate(_l("评标时间须晚于当前时间。"), field="evaluation_at")
    venue = str(data.get("venue", "")).strip()
    if not venue:
        raise ValidationError(_l("请填写评标地点（场地）。"), field="venue")
    pools = [int(c) for c in (data.get("pool_centre_ids") or [lot.project.centre_id])]
    for cid in pools:
        if db.session.get(Centre, cid) is None:
            raise ValidationError(
                _l("专家库所属中心 %(c)s 不存在。", c=cid), field="pool_centre_ids"
            )
    groups = _check_groups(list(data.get("groups") or []), pools)
    avoided = _check_avoided(list(data.get("avoided") or []))
    reps = int(data.get("purchaser_reps", 0))
    if reps < 0:
        raise ValidationError(_l("采购人代表人数不能为负数。"), field="purchaser_reps")
    experts = sum(g["count"] for g in groups)
    size = experts + reps
    if size < 5 or size % 2 == 0 or experts * 3 < size * 2:
        raise ValidationError(
            _l(
                "评标委员会须为 5 人以上单数，且专家不少于三分之二：当前专家 %(e)s 人、采购人代表 %(r)s 人。",
                e=experts,
                r=reps,
            ),
            field="groups",
        )
    item = Draw(
        lot_id=lot.id,
        requested_by_id=actor.id,
        evaluation_at=evaluation_at,
        earliest_at=evaluation_at - settings.draw_window(),
        venue=venue[:200],
        purchaser_reps=reps,
        pool_centre_ids=sorted(set(pools)),
        groups=groups,
        avoided=avoided,
        excluded_ids=_released_experts(lot.id),
        status=DrawStatus.PENDING,
        note=str(data.get("note", ""))[:2000],
        created_at=now,
    )
    db.session.add(item)
    db.session.flush()
    item.root_id = item.id
    # Early feedback: a request the pool cannot satisfy today is refused now, not at draw time.
    messages = avoidance.shortfalls(
        avoidance.compute_pools(
            item, lot, avoidance.merge_avoided(avoided, avoidance.auto_avoided(lot))
        )
    )
    if messages:
        raise ValidationError(_l("抽取条件无法满足：%(m)s", m=" ".join(messages)), field="groups")
    record(
        actions.DRAW_REQUESTED,
        item,
        {"lot_id": lot.id, "evaluation_at": evaluation_at.isoformat(), "groups": groups},
        actor=actor,
    )
    return item


# ---------------------------------------------------------------- commit and draw
def open_seed(item: Draw) -> bytes:
    """The draw's secret seed, opened from its sealed form."""
    try:
        seed = open_secret(item.seed_sealed or "", SEED_PURPOSE)
    except SecretBoxError as exc:
        raise Conflict(
            _l("抽取种子无法解封（平台密钥可能已更换或数据被改动），该抽取只能作废。")
        ) from exc
    if draw.commit(seed) != item.seed_hash:
        raise Conflict(_l("抽取种子与承诺的哈希不符，该抽取只能作废。"))
    return seed


def committed_rule(item: Draw) -> int:
    """The draw rule the commitment entry names: a draw committed before an upgrade is
    resumed, and verified, with the rule it committed to."""
    entry = db.session.get(AuditEntry, item.commitment_seq) if item.commitment_seq else None
    if entry is None:
        raise Conflict(_l("抽取承诺不完整，只能作废。"))
    return draw.committed_rule(json.loads(entry.data))


def public_request(item: Draw) -> dict[str, Any]:
    """The draw's conditions as committed to the log and exported for verification."""
    return {
        "draw_id": item.id,
        "lot_id": item.lot_id,
        "parent_id": item.parent_id,
        "evaluation_at": item.evaluation_at.astimezone(dt.UTC).isoformat(),
        "venue": item.venue,
        "purchaser_reps": item.purchaser_reps,
        "pool_centre_ids": list(item.pool_centre_ids),
        "groups": list(item.groups),
        "avoided": list(item.avoided),
        "excluded_ids": sorted(item.excluded_ids or []),
    }


def commit_draw(
    item: Draw,
    actor: User | None,
    *,
    check_window: bool = True,
    rule: int | None = draw.CURRENT_RULE,
) -> Draw:
    """Phase 1: fix the pool and a secret seed in the audit log, then the public value.

    ``rule`` is the draw rule the commitment names (experts/draw.py); None writes the
    commitment as draws did before rules were numbered (rule 1, no name), which only the
    tests of old records use.
    """
    lot = db.session.get(Lot, item.lot_id)
    if lot is None:
        raise NotFound(_l("标段不存在。"))
    if actor is not None:
        policies.ensure_can_request_draw(actor, lot)
    if item.status == DrawStatus.COMMITTED:
        raise Conflict(_l("本次抽取已承诺，只能继续（恢复）或作废，不能重新抽取。"))
    if item.status != DrawStatus.PENDING:
        raise Conflict(_l("本次抽取已结束或已作废，不能再次抽取。"))
    other = db.session.execute(
        select(Draw.id).where(
            Draw.lot_id == item.lot_id, Draw.status == DrawStatus.COMMITTED, Draw.id != item.id
        )
    ).first()
    if other:
        raise Conflict(
            _l("该标段有一项已承诺但未完成的抽取（编号 %(id)s），须先继续或作废。", id=other[0])
        )
    now = clock.now()
    if now >= item.evaluation_at:
        raise TooLate(_l("评标时间已到，不能再抽取专家。"))
    if check_window and now < item.earliest_at:
        raise TooEarly(
            _l(
                "抽取最早可于 %(t)s（北京时间）进行，即评标前 %(h)s 小时内。",
                t=formatting.cst(item.earliest_at),
                h=settings.draw_window_hours(),
            )
        )
    avoided = avoidance.merge_avoided(
        [a for a in item.avoided if a.get("source") != "auto"], avoidance.auto_avoided(lot)
    )
    item.avoided = avoided
    pools = avoidance.compute_pools(item, lot, avoided)
    messages = avoidance.shortfalls(pools)
    if messages:
        raise ValidationError(_l("抽取条件无法满足：%(m)s", m=" ".join(messages)), field="groups")
    seed = draw.new_seed()
    item.seed_sealed = seal_secret(seed, SEED_PURPOSE)
    item.seed_hash = draw.commit(seed)
    item.eligible = [p.eligible for p in pools]
    item.pool_hashes = [draw.pool_hash(p.eligible) for p in pools]
    entry = record(
        actions.DRAW_COMMITTED,
        item,
        {
            "request": public_request(item),
            "pool_hashes": item.pool_hashes,
            "pool_sizes": [len(p.eligible) for p in pools],
            "seed_hash": item.seed_hash,
        }
        | ({} if rule is None else {"rule": rule}),
        actor=actor,
    )
    item.commitment_seq = entry.seq
    # record() holds the head lock until commit, so the head is exactly this entry: the
    # public value is the root right after the commitment, read from the frontier.
    size, root = current_root()
    assert size == entry.seq
    item.public_value = root
    item.status = DrawStatus.COMMITTED
    item.committed_at = now
    db.session.flush()
    return item


def execute_draw(item: Draw, actor: User | None = None) -> Draw:
    """Phase 2 (also the resume path): rank with the committed seed, invite, keep reserves."""
    if actor is not None:
        policies.ensure_can_run_draw(actor, item)
    if item.status != DrawStatus.COMMITTED:
        raise Conflict(_l("只有已承诺的抽取可以执行或恢复。"))
    if item.seed_sealed is None or item.public_value is None or item.eligible is None:
        raise Conflict(_l("抽取承诺不完整，只能作废。"))
    mixed = draw.mixed_seed(open_seed(item), bytes.fromhex(item.public_value))
    result = draw.select(mixed, item.eligible, item.groups, committed_rule(item))
    item.result = result
    item.status = DrawStatus.DRAWN
    item.drawn_at = clock.now()
    root_id = item.root_id or item.id
    for group, picked in zip(item.groups, result, strict=True):
        for rank, expert_id in enumerate(picked["invited"] + picked["reserves"]):
            db.session.add(
                Invitation(
                    draw_id=item.id,
                    root_id=root_id,
                    slot=int(group["slot"]),
                    rank=rank,
                    expert_id=expert_id,
                    state=InvitationState.WAITING,
                )
            )
    db.session.flush()
    record(
        actions.DRAW_DRAWN,
        item,
        {
            "result_sha256": hashlib.sha256(canonical_json(result).encode()).hexdigest(),
            "counts": [
                {"invited": len(r["invited"]), "reserves": len(r["reserves"])} for r in result
            ],
        },
        actor=actor,
    )
    root = db.session.get(Draw, root_id)
    assert root is not None
    fill_vacancies(root)
    return item


def cancel_draw(item: Draw, actor: User, reason: str) -> Draw:
    policies.ensure_can_run_draw(actor, item)
    if item.status in (DrawStatus.REVEALED, DrawStatus.CANCELLED):
        raise Conflict(_l("已公开或已作废的抽取不能作废。"))
    if not reason.strip():
        raise ValidationError(_l("作废须填写原因。"), field="reason")
    before = item.status
    item.status = DrawStatus.CANCELLED
    item.cancelled_at = clock.now()
    for inv in item.invitations:
        if inv.state in (*ACTIVE_SEATS, InvitationState.WAITING):
            if inv.state in ACTIVE_SEATS:
                tell_expert(inv, _("评标专家邀请已取消"), _("原抽取已作废，您无需参加本次评标。"))
                drop_sitting(inv)
            inv.state = InvitationState.UNUSED
    db.session.flush()
    record(
        actions.DRAW_CANCELLED,
        item,
        {"from": before.value, "reason": reason.strip()},
        actor=actor,
    )
    return item


def reveal_draw(item: Draw, actor: User | None) -> Draw:
    """Publish the seed once the result is public (at or after the evaluation)."""
    if actor is not None:
        policies.ensure_can_run_draw(actor, item)
    if item.status != DrawStatus.DRAWN:
        raise Conflict(_l("只有已完成的抽取可以公开种子。"))
    if clock.now() < item.evaluation_at:
        raise TooEarly(_l("评标开始前不能公开抽取种子（结果公开后方可复核）。"))
    seed = open_seed(item)
    item.status = DrawStatus.REVEALED
    item.revealed_at = clock.now()
    item.seed_revealed = seed.hex()
    db.session.flush()
    record(actions.DRAW_REVEALED, item, {"seed": item.seed_revealed}, actor=actor)
    return item


# ---------------------------------------------------------------- 补抽
def family(root: Draw) -> list[Draw]:
    """A root draw and its 补抽, oldest first."""
    return list(
        db.session.execute(select(Draw).where(Draw.root_id == root.id).order_by(Draw.id)).scalars()
    )


def supplementary_draw(root: Draw, short: dict[int, int]) -> Draw:
    """补抽: a new verifiable draw under the same rules for the seats reserves could not fill."""
    running = db.session.execute(
        select(Draw).where(
            Draw.root_id == root.id,
            Draw.status.in_((DrawStatus.PENDING, DrawStatus.COMMITTED)),
        )
    ).scalar_one_or_none()
    if running is not None:
        if running.status == DrawStatus.PENDING:
            commit_draw(running, None, check_window=False)
        return execute_draw(running, None)
    drawn = db.session.execute(
        select(Invitation.expert_id).where(Invitation.root_id == root.id)
    ).scalars()
    latest = family(root)[-1]
    min_reserves = settings.min_reserves()
    groups = [
        {**g, "count": short[int(g["slot"])], "reserves": min_reserves}
        for g in root.groups
        if int(g["slot"]) in short
    ]
    item = Draw(
        lot_id=root.lot_id,
        parent_id=latest.id,
        root_id=root.id,
        requested_by_id=root.requested_by_id,
        evaluation_at=root.evaluation_at,
        earliest_at=clock.now(),
        venue=root.venue,
        purchaser_reps=root.purchaser_reps,
        pool_centre_ids=list(root.pool_centre_ids),
        groups=groups,
        avoided=[a for a in root.avoided if a.get("source") != "auto"],
        excluded_ids=sorted(set(drawn)),
        status=DrawStatus.PENDING,
        note=_("补抽（原抽取编号 %(id)s）", id=root.id),
        created_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    record(actions.SUPPLEMENT_REQUESTED, item, {"root_id": root.id, "short": short})
    commit_draw(item, None, check_window=False)
    return execute_draw(item, None)
