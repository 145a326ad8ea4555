"""What one summary needs, read once: the bids, outcomes, submitted scores and findings.

The summary looks at every bid several times (its inputs, its dispersion alerts, the
justifications missing, the prices still pending); asking the database per bid each time
made a large lot take seconds. `SummaryData.load` reads each kind of row in one query
for the session's current cycle and settles each bid once, with the same rules as the
per-bid functions it stands for (`review.bid_outcome`, `clarifications.still_in`,
`clarifications.pending_abnormal`, `scoring.dispersion_alerts`).

Scores are those of submitted sheets only: the summary uses no draft, since a bid's
alerts need every active member's sheet in and its inputs take submitted members only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.core.extensions import db
from bidding.bids.models import Bid, BidStatus
from remote_eval import clarifications
from remote_eval.models import (
    EvalClarification,
    EvalSession,
    ItemDecision,
    Justification,
    Score,
    ScoreSheet,
    Verdict,
)
from remote_eval.policies import acting_members
from remote_eval.review import build_states, outcome_of, scheme_of
from remote_eval.scheme import Scheme
from remote_eval.scoring import Alert, alerts_from

Scores = dict[int, dict[str, Decimal]]  # member id → item id → points


@dataclass
class SummaryData:
    session: EvalSession
    scheme: Scheme
    ceiling: Decimal | None
    bids: list[Bid]  # the lot's opened bids, in opening order
    active: list[int]  # active member ids, in committee order
    outcomes: dict[int, tuple[bool, list[str]]]  # bid id → review outcome
    abnormal: dict[int, bool | None]  # bid id → finding on its latest abnormal-price request
    submitted: dict[int, set[int]]  # bid id → members whose sheet is submitted
    scores: dict[int, Scores]  # bid id → submitted scores
    justified: set[tuple[int, str, int]]  # (bid id, item id, member id)
    _alerts: dict[int, list[Alert]] = field(default_factory=dict)
    _pending: list[int] | None = None
    _missing: list[tuple[int, str, int]] | None = None

    @classmethod
    def load(cls, session: EvalSession) -> SummaryData:
        scheme = scheme_of(session)
        sid, cycle = session.id, session.cycle
        bids = list(
            db.session.execute(
                select(Bid)
                .options(joinedload(Bid.supplier))
                .where(Bid.lot_id == session.lot_id, Bid.status == BidStatus.DECRYPTED)
                .order_by(Bid.id)
            ).scalars()
        )
        active = [m.id for m in acting_members(session)]
        verdicts: dict[int, list[object]] = {}
        for v in db.session.execute(
            select(
                Verdict.bid_id, Verdict.member_id, Verdict.item_id, Verdict.passed, Verdict.reason
            )
            .where(Verdict.session_id == sid, Verdict.cycle == cycle)
            .order_by(Verdict.id)
        ):
            verdicts.setdefault(v.bid_id, []).append(v)
        decisions: dict[int, dict[str, object]] = {}
        for d in db.session.execute(
            select(ItemDecision.bid_id, ItemDecision.item_id, ItemDecision.passed).where(
                ItemDecision.session_id == sid, ItemDecision.cycle == cycle
            )
        ):
            decisions.setdefault(d.bid_id, {})[d.item_id] = d
        members = set(active)
        outcomes = {
            b.id: outcome_of(
                build_states(scheme, members, verdicts.get(b.id, []), decisions.get(b.id, {}))
            )
            for b in bids
        }
        # In id order, so the last one written per bid is its latest request.
        abnormal = {
            c.bid_id: c.accepted
            for c in db.session.execute(
                select(EvalClarification.bid_id, EvalClarification.accepted)
                .where(
                    EvalClarification.session_id == sid,
                    EvalClarification.kind == clarifications.ABNORMAL_PRICE,
                )
                .order_by(EvalClarification.id)
            )
        }
        in_force = (
            ScoreSheet.session_id == sid,
            ScoreSheet.cycle == cycle,
            ScoreSheet.reopened_at.is_(None),
        )
        submitted: dict[int, set[int]] = {}
        for s in db.session.execute(
            select(ScoreSheet.bid_id, ScoreSheet.member_id).where(*in_force)
        ):
            submitted.setdefault(s.bid_id, set()).add(s.member_id)
        scores: dict[int, Scores] = {}
        for r in db.session.execute(
            select(Score.member_id, Score.bid_id, Score.item_id, Score.value)
            .join(
                ScoreSheet,
                (ScoreSheet.member_id == Score.member_id) & (ScoreSheet.bid_id == Score.bid_id),
            )
            .where(Score.session_id == sid, Score.cycle == cycle, *in_force)
        ):
            scores.setdefault(r.bid_id, {}).setdefault(r.member_id, {})[r.item_id] = Decimal(
                r.value
            )
        justified = {
            (j.bid_id, j.item_id, j.member_id)
            for j in db.session.execute(
                select(Justification.bid_id, Justification.item_id, Justification.member_id).where(
                    Justification.session_id == sid, Justification.cycle == cycle
                )
            )
        }
        return cls(
            session=session,
            scheme=scheme,
            ceiling=clarifications.ceiling_of(session),
            bids=bids,
            active=active,
            outcomes=outcomes,
            abnormal=abnormal,
            submitted=submitted,
            scores=scores,
            justified=justified,
        )

    def passed(self, bid: Bid) -> bool:
        return self.outcomes[bid.id][0]

    def rejected_low(self, bid: Bid) -> bool:
        """As `clarifications.is_rejected_low`: the committee found the explanation wanting."""
        return bid.id in self.abnormal and self.abnormal[bid.id] is False

    def explained_ok(self, bid: Bid) -> bool:
        return bool(self.abnormal.get(bid.id))

    def still_in(self, bid: Bid) -> bool:
        """As `clarifications.still_in`."""
        return (
            self.passed(bid)
            and not clarifications.rejection_of(bid, self.scheme, self.ceiling)
            and not self.rejected_low(bid)
        )

    def submitted_members(self, bid: Bid) -> list[int]:
        return sorted(self.submitted.get(bid.id, ()))

    def all_in(self, bid: Bid) -> bool:
        active = set(self.active)
        return bool(active) and active <= self.submitted.get(bid.id, set())

    def alerts(self, bid: Bid) -> list[Alert]:
        """As `scoring.dispersion_alerts`, worked out once per bid."""
        if bid.id not in self._alerts:
            self._alerts[bid.id] = (
                alerts_from(self.scheme, self.active, self.scores.get(bid.id, {}))
                if self.all_in(bid)
                else []
            )
        return self._alerts[bid.id]

    def pending_abnormal(self) -> list[int]:
        """As `clarifications.pending_abnormal`."""
        if self._pending is None:
            screened = [b for b in self.bids if self.passed(b) and not self.rejected_low(b)]
            flagged = clarifications.low_among(screened, self.scheme, self.ceiling)
            self._pending = sorted(b for b in flagged if self.abnormal.get(b) is None)
        return list(self._pending)

    def missing_justifications(self) -> list[tuple[int, str, int]]:
        """(bid id, item id, member id) of dispersion alerts without a justification."""
        if self._missing is None:
            self._missing = [
                (bid.id, a.item_id, a.member_id)
                for bid in self.bids
                if self.still_in(bid)
                for a in self.alerts(bid)
                if (bid.id, a.item_id, a.member_id) not in self.justified
            ]
        return list(self._missing)
