"""A quote racing the close of its round: the close holds the round's row lock, so a quote
sent meanwhile waits, then sees the round closed and is refused — no quote can land in a
round after its quotes were read (it would stay sealed and unread for ever)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.errors import Conflict
from app.core.extensions import db
from remote_eval.models import EvalMember, EvalSession
from remote_eval.negotiation import rounds
from remote_eval.negotiation.models import NegotiationQuote, NegotiationRound
from tests.negotiation.world import negotiation_world

pytestmark = pytest.mark.skipif(
    "sqlite" in str(__import__("tests.conftest", fromlist=["x"]).test_database_url()),
    reason="row locks: PostgreSQL (SQLite serialises every writer)",
)


def test_a_quote_sent_while_the_round_closes_is_refused(app: Any) -> None:
    w = negotiation_world()
    rnd = rounds.open_round(w.session, w.leader, final=False)
    db.session.commit()
    ids = {
        "session": w.session.id,
        "leader": w.leader.id,
        "round": rnd.id,
        "bid": w.bids[0].id,
        "user": w.bidders[0].id,
    }
    closing = threading.Event()
    outcomes: dict[str, str] = {}
    waited: dict[str, float] = {}

    def close() -> None:
        with app.app_context():
            session = db.session.get(EvalSession, ids["session"])
            leader = db.session.get(EvalMember, ids["leader"])
            item = db.session.get(NegotiationRound, ids["round"])
            rounds.close_round(session, leader, item)
            closing.set()
            time.sleep(0.8)  # the supplier's quote arrives while this transaction is open
            db.session.commit()
            outcomes["close"] = "closed"
            db.session.remove()

    def quote() -> None:
        from app.core.auth.models import User
        from bidding.bids.models import Bid

        with app.app_context():
            closing.wait(10)
            started = time.monotonic()
            item = db.session.get(NegotiationRound, ids["round"])
            try:
                rounds.submit_quote(
                    item,
                    db.session.get(User, ids["user"]),
                    db.session.get(Bid, ids["bid"]),
                    "440000.00",
                )
                db.session.commit()
                outcomes["quote"] = "sealed"
            except Conflict:
                db.session.rollback()
                outcomes["quote"] = "refused"
            finally:
                waited["quote"] = time.monotonic() - started
                db.session.remove()

    threads = [threading.Thread(target=close), threading.Thread(target=quote)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == {"close": "closed", "quote": "refused"}
    assert waited["quote"] >= 0.5  # it waited for the close's row lock
    db.session.expire_all()
    assert db.session.execute(select(func.count(NegotiationQuote.id))).scalar_one() == 0
