"""A lot's status reads in the documents pages with the one word of bidding.labels."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import render_template_string

from bidding.labels import STATUS_LABELS, status_label
from bidding.models import LotStatus


def test_the_documents_badge_uses_the_status_words_of_bidding_labels(app: Any) -> None:
    template = '{% from "bidding/doc_macros.html" import lot_status %}{{ lot_status(lot) }}'
    for lang in ("zh_CN", "en"):
        with app.test_request_context(headers={"Accept-Language": lang}):
            from flask import session

            session["lang"] = lang
            for status in LotStatus:
                html = render_template_string(template, lot=SimpleNamespace(status=status))
                assert f'data-testid="lot-status">{status_label(status)}</span>' in html, html
                assert status.value not in html.split(">", 1)[1], html
    assert set(STATUS_LABELS) == {s.value for s in LotStatus}
