"""The supplier's to-do in a negotiation: a round open for a quote it has not sealed yet."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.workbench import TodoItem, Urgency, register_provider
from remote_eval.negotiation import queries, state


def quotes_to_seal(user: Any) -> list[TodoItem]:
    items = []
    for session, bid in queries.supplier_negotiations(user):
        rnd = state.open_round(session)
        if rnd is None or state.drop_of(session, bid) is not None:
            continue
        if state.quote_in(rnd, bid) is not None:
            continue
        title = (
            _("提交最后报价：%(lot)s", lot=f"{bid.lot.code} {bid.lot.name}")
            if rnd.final
            else _(
                "提交第 %(n)s 轮谈判报价：%(lot)s",
                n=rnd.number,
                lot=f"{bid.lot.code} {bid.lot.name}",
            )
        )
        items.append(
            TodoItem(
                kind="nego.quotes",
                title=title,
                url=url_for("negotiation.supplier_page", bid_id=bid.id),
                detail=_("本轮结束前密封提交，每轮一次"),
                urgency=Urgency.TODAY,
            )
        )
    return items


def register() -> None:
    register_provider("nego.quotes", _l("待提交的谈判报价"), quotes_to_seal, ("supplier",), 2)
