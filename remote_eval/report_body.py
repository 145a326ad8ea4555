"""The content of the evaluation report (评标报告), built from the rows of one cycle.

Only JSON values (str, int, bool, None, lists, objects): amounts and scores are strings
as printed, times ISO 8601 in UTC. The labels are Chinese, because the signed document
is the Chinese one whatever language the host reads (the caller forces the locale).
docs/evaluation-report.md describes every field.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.auth.models import Centre, User
from app.core.crypto import p256_key_id
from app.core.extensions import db
from bidding.models import Lot
from remote_eval import clarifications, methods, policies, room, summary
from remote_eval.models import (
    Dissent,
    ElectionRound,
    EvalMember,
    EvalSession,
    Justification,
    MemberKind,
    MemberStatus,
)
from remote_eval.review import item_states, scheme_of, session_bids
from remote_eval.scheme import SECTION_LABELS

FORMAT = "tenderhall.eval-report/1"

KIND_LABELS = {MemberKind.EXPERT: _l("评审专家"), MemberKind.PURCHASER_REP: _l("采购人代表")}


def iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _money(value: Any) -> str | None:
    return None if value is None else str(value)


def _centre_name(centre_id: int) -> str:
    centre = db.session.get(Centre, centre_id)
    return centre.name if centre is not None else str(centre_id)


def _member(session: EvalSession, m: EvalMember) -> dict[str, Any]:
    active = policies.is_acting(m)
    return {
        "id": m.id,
        "seat": m.seat,
        "name": room.member_name(m),
        "kind": m.kind.value,
        "kind_label": str(KIND_LABELS[m.kind]),
        "venue": _centre_name(m.venue_centre_id),
        "main_venue": m.venue_centre_id == session.main_centre_id,
        "active": active,
        "leader": session.leader_id == m.id,
        "identity_confirmed_at": iso(m.identity_confirmed_at),
        "signed_in_at": iso(m.signed_in_at),
        "committed_at": iso(m.committed_at),
        "avoidance_declared_at": iso(m.avoidance_declared_at),
        "removed_at": iso(m.removed_at) if m.status == MemberStatus.REMOVED else None,
        "removed_reason": m.removed_reason if m.status == MemberStatus.REMOVED else "",
        "replaces_id": m.replaces_id,
        # Only the members who sign this version have a key in it.
        "public_key": m.public_key if active else None,
        "key_id": p256_key_id(m.public_key) if active and m.public_key else None,
    }


def _election(session: EvalSession) -> list[dict[str, Any]]:
    rounds = db.session.execute(
        select(ElectionRound)
        .where(ElectionRound.session_id == session.id)
        .order_by(ElectionRound.number)
    ).scalars()
    return [
        {
            "number": r.number,
            "closed_at": iso(r.closed_at),
            "tally": {str(k): int(v) for k, v in (r.tally or {}).items()},
            "winner_id": r.winner_id,
        }
        for r in rounds
    ]


def _review(session: EvalSession) -> list[dict[str, Any]]:
    out = []
    for bid in session_bids(session):
        items = []
        for s in item_states(session, bid):
            ayes = sum(1 for v in s.verdicts.values() if v.passed)
            items.append(
                {
                    "item_id": s.item.id,
                    "name": s.item.name,
                    "section": s.section,
                    "section_label": str(SECTION_LABELS[s.section]),
                    "verdicts": [
                        {"member_id": mid, "passed": v.passed, "reason": v.reason}
                        for mid, v in sorted(s.verdicts.items())
                    ],
                    "majority_vote": None
                    if s.decision is None
                    else {"for": ayes, "against": len(s.verdicts) - ayes},
                    "passed": s.passed,
                }
            )
        out.append({"bid_id": bid.id, "name": bid.supplier.name, "items": items})
    return out


def _scheme(session: EvalSession) -> dict[str, Any]:
    scheme = scheme_of(session)

    def scored(section: str) -> list[dict[str, Any]]:
        return [
            {
                "id": i.id,
                "name": i.name,
                "maximum": str(i.maximum),
                "objective": i.objective,
            }
            for i in getattr(scheme, section)
        ]

    return {
        "qualification": [{"id": i.id, "name": i.name} for i in scheme.qualification],
        "compliance": [{"id": i.id, "name": i.name} for i in scheme.compliance],
        "technical": scored("technical"),
        "commercial": scored("commercial"),
        "price_weight": str(scheme.price.weight),
    }


def _method(session: EvalSession) -> dict[str, Any]:
    """The method, and what the report's ranking tables need of it (report_columns.py)."""
    method = methods.get(session.method)
    return {
        "code": method.code,
        "label": str(method.label),
        "uses_scores": method.uses_scores,
        "tie_rule": str(method.tie_rule),
    }


def _clarifications(session: EvalSession) -> list[dict[str, Any]]:
    return [
        {
            "id": c.id,
            "bid_id": c.bid_id,
            "kind": c.kind,
            "question": c.question,
            "asked_by": c.asked_by_id,
            "asked_at": iso(c.asked_at),
            "due_at": iso(c.due_at),
            "answer": c.answer,
            "answered_at": iso(c.answered_at),
            "accepted": c.accepted,
        }
        for c in clarifications.for_session(session)
    ]


def _written(session: EvalSession) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The item dissents and the dispersion justifications of the cycle reported on."""
    dissents = db.session.execute(
        select(Dissent)
        .where(
            Dissent.session_id == session.id,
            Dissent.cycle == session.cycle,
            Dissent.subject == "item",
        )
        .order_by(Dissent.id)
    ).scalars()
    justifications = db.session.execute(
        select(Justification)
        .where(Justification.session_id == session.id, Justification.cycle == session.cycle)
        .order_by(Justification.id)
    ).scalars()
    fields = ("member_id", "bid_id", "item_id", "text")
    return (
        [{**{f: getattr(d, f) for f in fields}, "at": iso(d.at)} for d in dissents],
        [{**{f: getattr(j, f) for f in fields}, "at": iso(j.at)} for j in justifications],
    )


def build_body(session: EvalSession, host: User, version: int) -> dict[str, Any]:
    """The report's content, as JSON-able values only (the members sign its canonical form)."""
    lot = db.session.get(Lot, session.lot_id)
    assert lot is not None
    table = summary.summary_table(session, host)
    keep = [
        "bid_id",
        "name",
        "price",
        "submitted_at",
        "valid",
        "rejected_reason",
        "abnormally_low",
        "price_score",
        "technical",
        "commercial",
        "total",
        "rank",
        "members",
        "spread",
        "dispersion_alerts",
    ]
    rows = [{k: r[k] for k in keep} for r in table["bidders"]]
    by_bid = {r["bid_id"]: r for r in rows}
    dissents, justifications = _written(session)
    centres = {session.main_centre_id} | {m.venue_centre_id for m in session.members}
    return {
        "format": FORMAT,
        "report": {
            "session_id": session.id,
            "version": version,
            "cycle": session.cycle,
            "generated_at": clock.now().isoformat(),
        },
        "project": {
            "code": lot.project.code,
            "name": lot.project.name,
            "centre": _centre_name(lot.project.centre_id),
        },
        "lot": {
            "id": lot.id,
            "code": lot.code,
            "name": lot.name,
            "budget": _money(lot.budget),
            "ceiling_price": _money(lot.ceiling_price),
            "bid_deadline": iso(lot.bid_deadline),
            "opening_place": lot.opening_place,
        },
        "method": _method(session),
        "evaluation": {
            "started_at": iso(session.created_at),
            "summary_locked_at": iso(session.summary_locked_at),
            "host": session.host.display_name,
            "venues": [
                {"name": _centre_name(c), "main": c == session.main_centre_id}
                for c in sorted(centres, key=lambda c: (c != session.main_centre_id, c))
            ],
        },
        "members": [_member(session, m) for m in session.members],
        "leader_id": session.leader_id,
        "election": _election(session),
        "scheme": _scheme(session),
        "bidders": [
            {
                "bid_id": b.id,
                "name": b.supplier.name,
                "price": _money(clarifications.price_of(b)),
                "received_at": iso(b.received_at),
            }
            for b in session_bids(session)
        ],
        "review": _review(session),
        "results": rows,
        "rejected": [
            {"bid_id": r["bid_id"], "name": r["name"], "reason": r["rejected_reason"]}
            for r in rows
            if not r["valid"]
        ],
        "clarifications": _clarifications(session),
        "dissents": dissents,
        "justifications": justifications,
        "candidates": [
            {
                "order": n,
                "bid_id": bid_id,
                "name": by_bid[bid_id]["name"],
                "price": by_bid[bid_id]["price"],
                "submitted_at": by_bid[bid_id]["submitted_at"],
                "total": by_bid[bid_id]["total"],
            }
            for n, bid_id in enumerate(table["candidates"], start=1)
        ],
    }
