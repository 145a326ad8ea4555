"""Announcements as signed PDFs (公告 PDF): the detail page's facts, fields and text on A4."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from flask import Response, abort
from flask_babel import get_locale
from flask_babel import gettext as _

from app.core import formatting, pdf
from app.portal import queries
from app.portal.views import bp
from bidding import notice_fields
from bidding.labels import kind_label, method_label

# A published announcement never changes, so its signed PDF is made once per language and
# process; the bound keeps a crawler from holding every PDF in memory.
_CACHE_SIZE = 256
_cache: OrderedDict[tuple[int, str], bytes] = OrderedDict()
_lock = threading.Lock()


def announcement_pdf(a: Any) -> bytes:
    kind = kind_label(a.kind.value, a.method.value)
    facts = [
        (_("公告类型"), kind),
        (_("交易中心"), a.centre.name),
        (_("发布时间"), formatting.cst(a.published_at)),
    ]
    # The same registry the detail page reads: labels and words, never stored keys.
    rows = notice_fields.field_rows(a.kind.value, a.fields or {}, method=a.method.value)
    if not rows:  # otherwise the notice's own fields name the project, lot and method
        facts.append((_("采购方式"), method_label(a.method.value)))
        facts.append((_("项目"), f"{a.project.code} {a.project.name}"))
        if a.lot is not None:
            facts.append((_("标段"), f"{a.lot.code} {a.lot.name}"))
    blocks: list[Any] = [pdf.Fields(facts)]
    if rows:
        blocks.append(pdf.Heading(_("公告要素")))
        plain = [(r.label, r.text) for r in rows if not r.is_table]
        if plain:
            blocks.append(pdf.Fields(plain))
        for r in rows:
            if r.is_table:
                blocks += [pdf.Para(r.label), pdf.Table(r.headers, r.rows)]
    blocks += [pdf.Heading(_("公告正文")), pdf.Para(a.body or _("（无正文）"))]
    record = pdf.Record(
        title=a.title,
        subtitle=f"{kind} · {a.centre.name}",
        blocks=blocks,
        footer=f"Tender Hall · {kind} · {a.project.code}",
    )
    return pdf.record_pdf(record, reason=kind or "公告")


@bp.route("/announcements/<int:announcement_id>.pdf")
def announcement_pdf_file(announcement_id: int) -> Any:
    a = queries.get_published(announcement_id)
    if a is None:
        abort(404)
    key = (a.id, str(get_locale()))
    with _lock:
        body = _cache.get(key)
    if body is None:
        body = announcement_pdf(a)
        with _lock:
            _cache[key] = body
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=announcement-{a.id}.pdf"},
    )
