"""Public pages: home, announcement list with filters and search, announcement detail."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.portal import listcache, ocds, queries
from app.portal.queries import (
    CATEGORY_LABELS,
    KIND_BADGES,
    LOT_STATUS_BADGES,
    LOT_STATUS_LABELS,
    STATUS_LABELS,
    Filters,
)
from bidding import categories, methods, notice_fields
from bidding.labels import KIND_LABELS, METHOD_LABELS, kind_label, translated
from bidding.prequal.notice import prequal_of_announcement

bp = Blueprint("portal", __name__)

HOME_KINDS = ["tender", "clarification", "candidates", "result", "intent", "termination"]
MAX_QUERY_CHARS = 60
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")


_labels_by_locale: dict[str, dict[str, Any]] = {}
# Words repeated on every list row.
ROW_TEXT: dict[str, Any] = {
    "published": _l("发布时间"),
    "category": _l("标段分类"),
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
            # A result announcement is named in its method's words (中标 or 成交).
            "method_kind_labels": {
                f"{code}:{kind}": kind_label(kind, code)
                for code in methods.codes()
                for kind in KIND_LABELS
            },
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


@bp.app_context_processor
def method_choices() -> dict[str, Any]:
    """The method filter offers the registry's methods (a label alone is no method)."""
    return {"method_choices": {m: _(METHOD_LABELS[m]) for m in methods.codes()}}


@bp.app_context_processor
def category_words() -> dict[str, Any]:
    """Category codes read as names on every page (never a bare letter)."""

    def category_name(code: str | None) -> str:
        return categories.name(code, str(get_locale()))

    def gp_kind_name(code: str | None) -> str:
        return categories.gp_kind_name(code, str(get_locale()))

    return {
        "category_name": category_name,
        "gp_kind_name": gp_kind_name,
        "is_gp": categories.is_government_procurement,
    }


@bp.app_template_filter("highlight")
def highlight(text: str, terms: list[str]) -> Markup:
    """The text, escaped, with each search term marked (<mark>), case-insensitively."""
    words = sorted({t for t in terms if t}, key=len, reverse=True)
    if not words:
        return Markup.escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out: list[str] = []
    last = 0
    for m in pattern.finditer(text):
        out.append(str(Markup.escape(text[last : m.start()])))
        out.append(f"<mark>{Markup.escape(m.group(0))}</mark>")
        last = m.end()
    out.append(str(Markup.escape(text[last:])))
    return Markup("".join(out))


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
        if method in methods.codes():
            f.method = method
        else:
            problems.append(_("采购方式“%(v)s”无效，已忽略。", v=method[:20]))
    status = (args.get("status") or "").strip()
    if status:
        f.status = queries.normalise_status(status)
        if f.status is None:
            problems.append(_("项目状态“%(v)s”无效，已忽略。", v=status[:20]))
    sort = (args.get("sort") or "").strip()
    if sort and sort != "newest":
        if sort in queries.SORTS:
            f.sort = sort
        else:
            problems.append(_("排序方式“%(v)s”无效，已按最新发布排序。", v=sort[:20]))
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
        sort_args={k: v for k, v in args.items() if k != "sort"},
        sorts={k: str(v) for k, v in queries.SORTS.items()},
        terms=f.q.split() if f.q else None,
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
        field_rows=notice_field_rows(a),
        ocid=ocds.ocid_for(a.project),
        # A prequalification's notices show its (current) timetable and application link.
        prequal=prequal_of_announcement(a),
    )


def notice_field_rows(a: Any) -> list[notice_fields.FieldRow]:
    """The notice's own facts; those the project card and timetable show are left out."""
    omit = set(notice_fields.SHOWN_WITH_PROJECT)
    if a.lot is not None or len(a.project.lots) == 1:
        omit |= notice_fields.SHOWN_WITH_LOT
    return notice_fields.field_rows(a.kind.value, a.fields or {}, omit=omit, method=a.method.value)
