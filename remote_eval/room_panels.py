"""What the evaluation room's page shows a viewer, panel by panel.

Each panel is built from the same services and policies as the JSON API (`room.state`,
`review.item_states`, `scoring.visible_scores`, `summary.summary_table`), so the page
never shows more than the API would give the same user. The page renders the panels on
load and again (as one HTML fragment) whenever a room event arrives.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.auth.models import Centre
from app.core.extensions import db
from app.core.i18n import N_
from app.core.realtime import RoomEvent
from bidding.bids.models import Bid
from bidding.models import Lot
from remote_eval import bid_files, clarifications, flow, policies, review, room, scoring, summary
from remote_eval.models import Dissent, EvalMember, EvalSession, Justification, MemberStatus, Phase
from remote_eval.scheme import SECTION_LABELS

# What the room log says for each event kind (unknown kinds get a neutral line).
EVENT_LABELS: dict[str, str] = {
    "committee.formed": N_("评标委员会组建"),
    "member.identity_confirmed": N_("身份核验"),
    "member.signed_in": N_("评委签到"),
    "commitment.signed": N_("签署承诺书"),
    "member.removed": N_("评委申报回避"),
    "member.replaced": N_("递补评委加入"),
    "phase.changed": N_("进入下一阶段"),
    "phase.extended": N_("阶段延时"),
    "session.paused": N_("评标暂停"),
    "session.resumed": N_("评标恢复"),
    "election.round_opened": N_("开始新一轮投票"),
    "election.vote_cast": N_("评委已投票"),
    "election.round_closed": N_("本轮计票"),
    "election.leader_elected": N_("选出组长"),
    "verdict_recorded": N_("审查意见"),
    "item_decided": N_("组长提请表决"),
    "dissent_written": N_("书面不同意见"),
    "clarification_asked": N_("发出澄清"),
    "clarification_answered": N_("投标人答复澄清"),
    "clarification_judged": N_("异常低价认定"),
    "sheet_submitted": N_("提交评分表"),
    "sheet_reopened": N_("重开评分表"),
    "objective_disagreement": N_("客观分不一致"),
    "dispersion_alert": N_("评分偏离提示"),
    "justification_written": N_("偏离理由"),
    "summary_locked": N_("汇总锁定"),
    "signing_key_registered": N_("评委创建签名密钥"),
    "report_generated": N_("生成评标报告"),
    "report_signed": N_("评委签署评标报告"),
    "report_refused": N_("评委拒签并书面说明理由"),
    "request.made": N_("提出回退/复议申请"),
    "request.decided": N_("监督人员审批"),
    "message": N_("消息"),
    "venue.ready": N_("副场确认就绪"),
    "venue.online": N_("评标场地上线"),
    "session.sealed": N_("评标记录封存"),
    "session.start_overdue": N_("评标未能按时开始，待采购人决定"),
    "session.start_decided": N_("采购人已作出决定"),
    "venue.dropped": N_("评标场地连接中断"),
    "venue.reconnected": N_("评标场地恢复连接"),
    "venue.video_online": N_("评标场地开始推送视频"),
    "venue.recording_saved": N_("评标场地录像已保存"),
    "venue.recording_interrupted": N_("评标场地录像上传中断，已保存收到的部分"),
}
LOG_LIMIT = 40


def member_label(m: dict[str, Any]) -> str:
    name = m["name"] or _("（签到后显示姓名）")
    return f"{m['seat']} · {name}"


def steps(session: EvalSession) -> list[dict[str, Any]]:
    """The phase list like the opening hall's: done, current, to come."""
    order = [p for p in flow.ORDER if p != Phase.SCORING or flow.uses_scores(session)]
    now = order.index(session.phase) if session.phase in order else 0
    return [
        {
            "label": flow.phase_label(p),
            "state": "done" if i < now else ("current" if i == now else ""),
        }
        for i, p in enumerate(order)
    ]


def _log(session: EvalSession) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(the room's latest events, its text channel): both from the persisted room log."""
    rows = list(
        db.session.execute(
            select(RoomEvent)
            .where(RoomEvent.room == room.room_name(session))
            .order_by(RoomEvent.seq.desc())
            .limit(LOG_LIMIT)
        ).scalars()
    )
    events = [
        {"seq": e.seq, "label": _(EVENT_LABELS.get(e.kind, N_("评标室动态"))), "at": e.created_at}
        for e in rows
    ]
    messages = list(
        db.session.execute(
            select(RoomEvent)
            .where(RoomEvent.room == room.room_name(session), RoomEvent.kind == "message")
            .order_by(RoomEvent.seq.desc())
            .limit(LOG_LIMIT)
        ).scalars()
    )
    chat = [
        {
            "seq": e.seq,
            "at": e.created_at,
            "who": (e.payload.get("author") or {}).get("name")
            or (e.payload.get("author") or {}).get("seat")
            or "—",
            "text": e.payload.get("text", ""),
        }
        for e in reversed(messages)
    ]
    return events, chat


def _bids(session: EvalSession) -> list[Bid]:
    return review.session_bids(session)


def _bid_files(session: EvalSession, user: Any) -> dict[str, Any]:
    """Each bidder's price form and files, with links for the members who may read them."""
    return bid_files.listing(
        session,
        user,
        lambda bid_id, index: url_for(
            "eval_room.bid_file", session_id=session.id, bid_id=bid_id, index=index
        ),
    )


def _review(session: EvalSession, me: EvalMember | None, labels: dict[int, str]) -> Any:
    active = policies.acting_members(session)
    dissents = {
        (d.member_id, d.bid_id, d.item_id)
        for d in db.session.execute(
            select(Dissent).where(Dissent.session_id == session.id, Dissent.cycle == session.cycle)
        ).scalars()
    }
    out = []
    for bid in _bids(session):
        rows = []
        for st in review.item_states(session, bid):
            mine = st.verdicts.get(me.id) if me else None
            rows.append(
                {
                    "section": SECTION_LABELS[st.section],
                    "item": st.item,
                    "cells": [st.verdicts.get(m.id) for m in active],
                    "mine": mine,
                    "differ": not st.missing and not st.settled,
                    "missing": len(st.missing),
                    "decision": st.decision,
                    "passed": st.passed,
                    "owe_dissent": bool(
                        me and me.id in st.minority and (me.id, bid.id, st.item.id) not in dissents
                    ),
                }
            )
        passed, reasons = review.bid_outcome(session, bid)
        out.append(
            {
                "bid": bid,
                "rows": rows,
                "out": not passed,
                "reasons": reasons,
            }
        )
    return {"columns": [labels[m.id] for m in active], "bids": out}


def _scoring(session: EvalSession, user: Any, me: EvalMember | None, labels: dict[int, str]) -> Any:
    scheme = review.scheme_of(session)
    out = []
    for bid in _bids(session):
        if not clarifications.still_in(session, bid):
            continue
        seen = scoring.visible_scores(session, user, bid)
        mine = seen["scores"].get(str(me.id), {}) if me else {}
        submitted = me is not None and me.id in seen["submitted"]
        sheet = scoring.sheets(session, bid.id).get(me.id) if me else None
        others = [
            {"label": labels.get(int(mid), mid), "scores": vals}
            for mid, vals in seen["scores"].items()
            if me is None or int(mid) != me.id
        ]
        disagree = {d.item_id for d in scoring.objective_disagreements(session, bid)}
        out.append(
            {
                "bid": bid,
                "mine": mine,
                "submitted": submitted,
                "reopenable": bool(sheet and submitted and disagree),
                "reopened": bool(sheet and sheet.reopened_at is not None),
                "who": [labels.get(m, str(m)) for m in seen["submitted"]],
                "others": others,
                "disagree": disagree,
            }
        )
    return {"scored_items": scheme.scored_items, "bids": out}


def _summary(session: EvalSession, user: Any, me: EvalMember | None, labels: dict[int, str]) -> Any:
    table = summary.summary_table(session, user)
    scheme = review.scheme_of(session)
    names = {i.id: i.name for i in scheme.scored_items}
    written = {
        (j.bid_id, j.item_id)
        for j in db.session.execute(
            select(Justification).where(
                Justification.session_id == session.id,
                Justification.cycle == session.cycle,
                Justification.member_id == (me.id if me else 0),
            )
        ).scalars()
    }
    by_bid = {b["bid_id"]: b["name"] for b in table["bidders"]}
    for b in table["bidders"]:
        b["member_rows"] = [
            {"label": labels.get(int(mid), mid), "total": v["total"]}
            for mid, v in b["members"].items()
        ]
        for a in b["dispersion_alerts"]:
            a["item"] = names.get(a["item_id"], a["item_id"])
            a["member"] = labels.get(a["member_id"], "")
            a["mine"] = bool(
                me and a["member_id"] == me.id and (b["bid_id"], a["item_id"]) not in written
            )
    table["candidate_names"] = [by_bid.get(c, "") for c in table["candidates"]]
    return table


def _clarifications(session: EvalSession, labels: dict[int, str]) -> Any:
    bids = {b.id: b for b in _bids(session)}
    return [
        {
            "c": c,
            "bidder": bids[c.bid_id].supplier.name if c.bid_id in bids else "",
            "asked_by": labels.get(c.asked_by_id, ""),
        }
        for c in clarifications.for_session(session)
    ]


def report_url(session: EvalSession) -> str:
    """The report page, linked from the room in the signing phase and after."""
    return url_for("eval_report.report_page", session_id=session.id)


def context(session: EvalSession, user: Any) -> dict[str, Any]:
    """Everything the room's panels need, for this viewer."""
    state = room.state(session, user)
    me = policies.active_member_of(user, session)
    acting = me if me is not None and policies.is_acting(me) else None
    labels = {m["id"]: member_label(m) for m in state["members"]}
    # Members a secondary venue's staff may not see (least exposure) still have their
    # columns in the grids: they read as another venue's member, never a name or an id.
    hidden = sorted((m for m in session.members if m.id not in labels), key=lambda m: m.seat)
    for n, m in enumerate(hidden, start=1):
        labels[m.id] = _("其他场地评委 %(n)s", n=n)
    centres = {
        c.id: c.name
        for c in db.session.execute(
            select(Centre).where(Centre.id.in_(policies.venue_centre_ids(session)))
        ).scalars()
    }
    phase = session.phase
    at = flow.ORDER.index(phase)
    events, chat = _log(session)
    members = {m.id: m for m in session.members}
    ctx: dict[str, Any] = {
        "session": session,
        "lot": db.session.get(Lot, session.lot_id),
        "state": state,
        "steps": steps(session),
        "me": me,
        "acting": acting,
        "is_leader": bool(acting and policies.is_leader(session, acting)),
        "is_host": policies.is_host(user, session),
        "is_supervisor": policies.can_supervise(user, session),
        "can_post": policies.can_post(user, session),
        "labels": labels,
        "centres": centres,
        "confirmable": {
            mid for mid, m in members.items() if policies.can_confirm_identity(user, m)
        },
        "events": events,
        "chat": chat,
        "phase": phase.value,
        "report_url": report_url(session) if phase in (Phase.SIGNING, Phase.DONE) else None,
        "problems": [str(p) for p in flow.exit_problems(session)] if phase != Phase.DONE else [],
        "earlier_phases": [(p.value, flow.phase_label(p)) for p in flow.ORDER[2:at]],
        "bids": _bids(session),
    }
    open_round = next((r for r in state["rounds"] if r["open"]), None)
    ctx["open_round"] = open_round
    ctx["candidates"] = [m for m in state["members"] if m["status"] == MemberStatus.SIGNED_IN.value]
    if phase == Phase.REVIEW:
        ctx["review"] = _review(session, acting, labels)
    if phase == Phase.SCORING:
        ctx["scoring"] = _scoring(session, user, acting, labels)
    if at >= flow.ORDER.index(Phase.SUMMARY):
        ctx["summary"] = _summary(session, user, acting, labels)
    if policies.bid_files_open(session):
        ctx["bid_files"] = _bid_files(session, user)
    if at >= flow.ORDER.index(Phase.REVIEW):
        ctx["clarifications"] = _clarifications(session, labels)
        ctx["flagged_low"] = clarifications.flagged_low(session)
    return ctx
