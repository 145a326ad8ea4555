"""Public pages: home, announcement list with filters and search, announcement detail."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core import formatting
from app.portal import listcache, queries
from app.portal.queries import (
    CATEGORY_LABELS,
    KIND_BADGES,
    LOT_STATUS_BADGES,
    LOT_STATUS_LABELS,
    STATUS_LABELS,
    Filters,
)
from bidding.labels import KIND_LABELS, METHOD_LABELS, method_label, translated

bp = Blueprint("portal", __name__)

HOME_KINDS = ["tender", "clarification", "candidates", "result", "intent", "termination"]
MAX_QUERY_CHARS = 60
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


_labels_by_locale: dict[str, dict[str, Any]] = {}
# Words repeated on every list row.
ROW_TEXT: dict[str, Any] = {
    "published": _l("发布时间"),
    "category": _l("品目"),
    "deadline": _l("截止"),
}


@bp.app_context_processor
def portal_labels() -> dict[str, Any]:
    # Labels are translated once per locale, not once per row of every list.
    locale = str(get_locale())
    labels = _labels_by_locale.get(locale)
    if labels is None:

        def plain(d: dict[str, Any]) -> dict[str, str]:
            return {k: str(v) for k, v in d.items()}

        labels = {
            "kind_labels": translated(KIND_LABELS),
            "kind_badges": KIND_BADGES,
            "method_labels": translated(METHOD_LABELS),
            "status_labels": plain(STATUS_LABELS),
            "lot_status_labels": plain(LOT_STATUS_LABELS),
            "lot_status_badges": LOT_STATUS_BADGES,
            "category_labels": plain(CATEGORY_LABELS),
            "row_text": plain(ROW_TEXT),
        }
        _labels_by_locale[locale] = labels
    return labels


def _page_number(raw: str | None) -> int:
    """A page number from the query string; anything unusable means page 1."""
    try:
        return max(1, min(int(raw or 1), 100_000))
    except ValueError:
        return 1


def filters_from_args(args: Any) -> Filters:
    """Public filters from a query string: unknown values are dropped with a note, never fatal."""
    f = Filters()
    problems: list[str] = []
    centre = (args.get("centre") or "").strip()
    if centre:
        if centre.isdigit():
            f.centre = int(centre)
        else:
            problems.append(_("交易中心参数无效，已忽略。"))
    f.region = (args.get("region") or "").strip()[:60] or None
    kind = (args.get("kind") or "").strip()
    if kind:
        if kind in KIND_LABELS:
            f.kind = kind
        else:
            problems.append(
                _(
                    "公告类型“%(v)s”无效，可选：%(ok)s。已忽略。",
                    v=kind[:20],
                    ok="、".join(f"{k}（{v}）" for k, v in translated(KIND_LABELS).items()),
                )
            )
    category = (args.get("category") or "").strip().upper()
    if category:
        if category.isalnum() and len(category) <= 12:
            f.category = category
        else:
            problems.append(_("品目分类代码只能由字母和数字组成（如 A、A08），已忽略。"))
    method = (args.get("method") or "").strip()
    if method:
        if method in METHOD_LABELS:
            f.method = method
        else:
            problems.append(_("采购方式“%(v)s”无效，已忽略。", v=method[:20]))
    status = (args.get("status") or "").strip()
    if status:
        f.status = queries.normalise_status(status)
        if f.status is None:
            problems.append(_("项目状态“%(v)s”无效，已忽略。", v=status[:20]))
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY_CHARS:
        problems.append(_("关键词过长，只取前 %(n)s 个字。", n=MAX_QUERY_CHARS))
        q = q[:MAX_QUERY_CHARS]
    f.q = q or None
    f.problems = problems
    return f


@bp.route("/")
def index() -> Any:
    return render_template(
        "portal/index.html",
        stats=queries.stats(),
        latest=queries.latest_by_kind(HOME_KINDS, limit=7),
        home_kinds=HOME_KINDS,
        centres=queries.centres_with_counts(),
    )


@bp.route("/announcements")
def announcements() -> Any:
    # The body is the same for every visitor asking the same question in the same
    # language, so it is cached; the page around it (user menu, CSRF token, clock,
    # flashed messages) is rendered for each request that carries a session. A visitor
    # with no session, remember cookie or token gets the whole page from the cache: it is
    # rendered for nobody in particular (no CSRF token, no messages), so it holds only
    # public data, and it answers If-None-Match with 304.
    key = (str(get_locale()), request.script_root, request.query_string)
    if listcache.anonymous_request():
        page = listcache.cached(("page", *key), queries.list_fingerprint, _anonymous_page)
        return listcache.conditional_response(page)
    body = listcache.cached(key, queries.list_fingerprint, _announcements_body)
    return render_template("portal/announcements.html", body=Markup(body))


def _anonymous_page() -> listcache.SharedPage:
    key = (str(get_locale()), request.script_root, request.query_string)
    body = listcache.cached(key, queries.list_fingerprint, _announcements_body)
    html = render_template("portal/announcements.html", body=Markup(body), shared_page=True)
    return listcache.SharedPage.of(html)


def _announcements_body() -> str:
    f = filters_from_args(request.args)
    page = queries.search(f, page=_page_number(request.args.get("page")))
    args = f.as_args()

    def page_url(n: int) -> str:
        return url_for("portal.announcements", page=n, **args)

    return render_template(
        "portal/_announcements_body.html",
        f=f,
        page=page,
        page_url=page_url,
        tab_args={k: v for k, v in args.items() if k != "kind"},
        centres=queries.all_centres(),
        # Detail links are "<prefix><id>"; one URL build instead of one per row.
        detail_prefix=url_for("portal.announcement", announcement_id=0).removesuffix("0"),
    )


@bp.route("/announcements/<int:announcement_id>")
def announcement(announcement_id: int) -> Any:
    a = queries.get_published(announcement_id)
    if a is None:
        abort(404)
    return render_template(
        "portal/announcement.html",
        a=a,
        related=queries.related(a),
        supersedes=queries.supersedes(a),
        superseded_by=queries.superseded_by(a),
        field_rows=field_rows(a.fields or {}),
    )


FIELD_LABELS: dict[str, Any] = {
    "project_code": _l("项目编号"),
    "trade_id": _l("交易编号"),
    "project_name": _l("项目名称"),
    "lot_code": _l("标段编号"),
    "lot_name": _l("标段名称"),
    "method": _l("采购方式"),
    "category_code": _l("品目分类"),
    "expected_month": _l("预计采购时间"),
    "purchaser_name": _l("采购人"),
    "purchaser_address": _l("采购人地址"),
    "purchaser_contact": _l("采购人联系人"),
    "purchaser_phone": _l("采购人电话"),
    "agency_name": _l("代理机构"),
    "agency_address": _l("代理机构地址"),
    "agency_contact": _l("代理机构联系人"),
    "agency_phone": _l("代理机构电话"),
    "doc_obtain_method": _l("文件获取方式"),
    "bid_submission": _l("投标文件递交"),
    "evaluation_method": _l("评标办法"),
    "validity_days": _l("投标有效期（天）"),
    "remarks": _l("备注"),
    "purchaser": _l("采购人"),
    "agency": _l("代理机构"),
    "budget": _l("预算金额"),
    "ceiling_price": _l("最高限价"),
    "bid_bond": _l("投标保证金"),
    "qualifications": _l("资格要求"),
    "requirements": _l("采购需求"),
    "doc_start_at": _l("文件获取开始"),
    "doc_end_at": _l("文件获取截止"),
    "bid_deadline": _l("投标截止/开标时间"),
    "opening_place": _l("开标地点"),
    "contact_name": _l("联系人"),
    "contact_phone": _l("联系电话"),
    "funding_source": _l("资金来源"),
    "reason": _l("原因"),
    "winner": _l("中标人"),
    "amount": _l("金额"),
    "candidates": _l("中标候选人"),
    "publicity_end_at": _l("公示截止"),
    "changes": _l("变更内容"),
    "new_deadline": _l("新的投标截止时间"),
}


MONEY_FIELDS = {"budget", "ceiling_price", "bid_bond", "amount"}
# Shown elsewhere on the page (project card, lots) or meaningful only to the system.
HIDDEN_FIELDS = {"lots", "lot_id", "previous_status", "opening_time"}


def field_rows(fields: dict[str, Any]) -> list[tuple[str, str]]:
    """Structured notice fields as (label, text) rows, known fields first in a fixed order."""
    rows: list[tuple[str, str]] = []
    order = [k for k in FIELD_LABELS if k in fields] + sorted(
        k for k in fields if k not in FIELD_LABELS
    )
    for key in order:
        value = fields[key]
        if key in HIDDEN_FIELDS or value in (None, "", [], {}):
            continue
        if key in MONEY_FIELDS:
            with contextlib.suppress(InvalidOperation, ValueError):
                value = formatting.money(Decimal(str(value)))
        elif key == "method" and value in METHOD_LABELS:
            value = method_label(value)
        label = str(FIELD_LABELS[key]) if key in FIELD_LABELS else key
        rows.append((label, _text(value)))
    return rows


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "；".join(_text(v) for v in value)
    if isinstance(value, dict):
        name = value.get("name")
        rest = "，".join(f"{k}: {_text(v)}" for k, v in value.items() if k != "name")
        return f"{name}（{rest}）" if name and rest else str(name or rest)
    if isinstance(value, str) and _ISO.match(value):
        try:
            return formatting.cst(dt.datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    return str(value)
