"""The negotiation as it goes into the lot's record (project archive): every round with its
quotes (hash always, price once read), the amendments, the drops and each conversation;
and the rows whose audit entries the archive carries with their proofs."""

from __future__ import annotations

from typing import Any

from remote_eval.models import EvalSession
from remote_eval.negotiation import state


def export(session: EvalSession) -> tuple[dict[str, Any], dict[str, list[int]]]:
    """(the record, table → row ids) — an empty record for a lot not negotiated in rounds."""
    rounds = state.rounds(session)
    refs: dict[str, list[int]] = {
        "negotiation_round": [r.id for r in rounds],
        "negotiation_quote": [],
        "negotiation_amendment": [],
        "negotiation_drop": [],
        "negotiation_message": [],
    }
    out_rounds = []
    for rnd in rounds:
        quotes = state.quotes_of(rnd)
        refs["negotiation_quote"].extend(q.id for q in quotes)
        out_rounds.append(
            {
                "number": rnd.number,
                "final": rnd.final,
                "opened_at": rnd.opened_at.isoformat(),
                "closed_at": rnd.closed_at.isoformat() if rnd.closed_at else None,
                "quotes": [
                    {
                        "bid_id": q.bid_id,
                        "supplier_id": q.supplier_id,
                        "submitted_at": q.submitted_at.isoformat(),
                        "sha256": q.sha256,
                        "price": str(q.price) if q.price is not None else None,
                    }
                    for q in quotes
                ],
            }
        )
    amendments = state.amendments(session)
    refs["negotiation_amendment"] = [a.id for a in amendments]
    drops = list(state.drops(session).values())
    refs["negotiation_drop"] = [d.id for d in drops]
    talks: dict[str, list[dict[str, Any]]] = {}
    for bid in state.opened_bids(session):
        lines = state.messages(session, bid)
        refs["negotiation_message"].extend(m.id for m in lines)
        if lines:
            talks[str(bid.id)] = [
                {"from_group": m.from_group, "text": m.text, "at": m.posted_at.isoformat()}
                for m in lines
            ]
    record = {
        "rounds": out_rounds,
        "amendments": [
            {"after_round": a.after_round, "text": a.text, "at": a.made_at.isoformat()}
            for a in amendments
        ],
        "drops": [
            {
                "bid_id": d.bid_id,
                "after_round": d.after_round,
                "reason": d.reason,
                "at": d.dropped_at.isoformat(),
            }
            for d in drops
        ],
        "conversations": talks,
    }
    return record, refs
