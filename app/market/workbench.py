"""What needs a buyer or an agency now (待办), for the workbench."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.workbench import TodoItem, register_provider
from app.market import agencies, auction, needs, policies, ratings
from app.market.models import NeedMethod, NeedStatus


def buyer_items(user: Any) -> list[TodoItem]:
    if not policies.is_buyer_user(user):
        return []
    out = []
    for need in needs.needs_of_buyer(user.organisation_id):
        link = url_for("market_buyer.need", need_id=need.id)
        title = ""
        due = None
        due_label = ""
        if need.status == NeedStatus.OPEN and need.method == NeedMethod.AUCTION:
            if auction.phase(need) == "closed":
                title = _("竞价已结束，请确认成交：%(t)s", t=need.title)
            else:
                title, due = _("网上竞价进行中或即将开始：%(t)s", t=need.title), need.closes_at
                due_label = _("竞价截止")
        elif need.method == NeedMethod.SEALED and need.status in (
            NeedStatus.OPEN,
            NeedStatus.CLOSED,
        ):
            title, due, due_label = _sealed_step(user, need)
        elif need.status == NeedStatus.OPEN:
            title = _("请选取中介机构：%(t)s", t=need.title)
        elif need.status == NeedStatus.CLOSED:
            title = _("竞价已结束，请确认成交：%(t)s", t=need.title)
        elif need.status == NeedStatus.AWARDED:
            title = _("请上传合同：%(t)s", t=need.title)
        elif need.status == NeedStatus.CONTRACTED:
            title, due = _("服务完成后请确认：%(t)s", t=need.title), None
        elif need.status == NeedStatus.COMPLETED and ratings.rating_of(need) is None:
            title = _("请评价中介服务：%(t)s", t=need.title)
        if title:
            out.append(
                TodoItem(
                    kind="market.buyer", title=title, url=link, due_at=due, due_label=due_label
                )
            )
    return out


def _sealed_step(user: Any, need: Any) -> tuple[str, Any, str]:
    """The buyer's next step of a sealed-quote need, and a member's scoring."""
    from app.market import sealed, sealed_review

    if need.status == NeedStatus.OPEN:
        if not sealed.deadline_passed(need):
            return _("综合评审接收报价中：%(t)s", t=need.title), need.closes_at, _("报价截止")
        return _("报价已截止，请开启报价：%(t)s", t=need.title), None, ""
    team = sealed_review.members(need)
    mine = next((m for m in team if m.user_id == user.id), None)
    if mine is not None and mine.submitted_at is None:
        return _("请为综合评审评分：%(t)s", t=need.title), None, ""
    if not team:
        return _("报价已开启，请组建评审小组：%(t)s", t=need.title), None, ""
    if all(m.submitted_at is not None for m in team):
        return _("评审小组已全部评分，请确认结果：%(t)s", t=need.title), None, ""
    return "", None, ""


def agency_items(user: Any) -> list[TodoItem]:
    if not policies.is_agency_user(user):
        return []
    out = []
    org_id = user.organisation_id
    for need in needs.needs_for_agency(org_id):
        if need.method == NeedMethod.AUCTION and auction.phase(need) != "closed":
            waiting = auction.phase(need) == "waiting"
            out.append(
                TodoItem(
                    kind="market.agency",
                    title=_("网上竞价：%(t)s", t=need.title),
                    url=url_for("market.auction_room", need_id=need.id),
                    due_at=need.starts_at if waiting else need.closes_at,
                    due_label=_("竞价开始") if waiting else _("竞价截止"),
                )
            )
        elif need.method == NeedMethod.SEALED:
            from app.market import sealed

            if need.status == NeedStatus.OPEN and sealed.quote_of(need, org_id) is None:
                out.append(
                    TodoItem(
                        kind="market.agency",
                        title=_("可提交密封报价：%(t)s", t=need.title),
                        url=url_for("market_sealed.quote", need_id=need.id),
                        due_at=need.closes_at,
                        due_label=_("报价截止"),
                    )
                )
        elif need.status == NeedStatus.OPEN and org_id not in needs.interested_ids(need):
            out.append(
                TodoItem(
                    kind="market.agency",
                    title=_("可报名的服务需求：%(t)s", t=need.title),
                    url=url_for("market.my_needs"),
                )
            )
    for rating in ratings.ratings_of(org_id):
        if rating.replied_at is None:
            out.append(
                TodoItem(
                    kind="market.agency",
                    title=_("可回复的评价：%(t)s", t=rating.need.title),
                    url=url_for("market.my_needs"),
                )
            )
    profile = agencies.get_profile(org_id) if org_id else None
    if profile is not None:
        soon = agencies.today() + dt.timedelta(days=30)
        for q in profile.qualifications:
            if agencies.today() <= q.valid_until <= soon:
                out.append(
                    TodoItem(
                        kind="market.agency",
                        title=_("资质即将到期：%(n)s", n=q.name),
                        url=url_for("market.my_profile"),
                    )
                )
    return out


def supervisor_items(user: Any) -> list[TodoItem]:
    from app.market import exits

    if not policies.can_supervise_market(user):
        return []
    return [
        TodoItem(
            kind="market.appeals",
            title=_("中介机构申诉待处理：%(n)s", n=a.agency.org.name),
            url=url_for("market.agency_page", org_id=a.org_id),
        )
        for a in exits.pending_appeals()
    ]


def register() -> None:
    register_provider("market.buyer", _l("中介服务需求"), buyer_items, ("purchaser",), order=20)
    register_provider("market.agency", _l("中介超市"), agency_items, ("intermediary",), order=20)
    register_provider(
        "market.appeals", _l("中介机构申诉"), supervisor_items, ("supervisor", "admin"), order=70
    )
