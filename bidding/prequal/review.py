"""The prequalification review (资格审查): the committee seated from an expert draw (the
experts floor calls `seat_committee`), every member's pass or fail of each application
with a reason for a fail, the majority per applicant as the evaluation room's
qualification review decides, and the signed pass and fail notices (通过/未通过通知)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock, formatting, pdf
from app.core.audit import record
from app.core.auth.models import Role, User
from app.core.errors import Conflict, Forbidden, TooEarly, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from app.core.storage import get_store
from bidding import policies as lot_policies
from bidding.announcements import publish_announcement
from bidding.forms import text_field
from bidding.models import AnnouncementKind
from bidding.notice_text import fit_title, party_fields
from bidding.prequal import actions
from bidding.prequal.applications import applications
from bidding.prequal.models import (
    MemberKind,
    Outcome,
    PrequalApplication,
    Prequalification,
    PrequalMember,
    PrequalStatus,
    PrequalVerdict,
    ReviewMethod,
)
from bidding.prequal.notice import notice_identity, review_method_text
from bidding.prequal.policies import member_of

MIN_MEMBERS = 5


@dataclass(frozen=True)
class Seat:
    user_id: int
    name: str
    kind: MemberKind


def seat_committee(
    actor: User, prequal: Prequalification, seats: Sequence[Seat], draw_id: int | None
) -> list[PrequalMember]:
    """Seat the review committee: the experts of a finished draw and, where the draw made
    room for one, the purchaser's representative. Called by the floor that ran the draw."""
    lot_policies.ensure_can_manage_lot(actor, prequal.lot)
    if prequal.status != PrequalStatus.OPEN or prequal.members:
        raise Conflict(_("资格审查委员会已经组建。"))
    if clock.now() < prequal.application_deadline:
        raise TooEarly(_("资格预审申请截止后才能组建资格审查委员会。"))
    experts = sum(1 for s in seats if s.kind == MemberKind.EXPERT)
    size = len(seats)
    # The same composition rule as an evaluation committee: odd, ≥5, experts ≥ 2/3.
    if size < MIN_MEMBERS or size % 2 == 0 or experts * 3 < size * 2:
        raise ValidationError(
            _(
                "资格审查委员会须为 %(m)s 人以上单数，且专家不少于三分之二：当前专家 %(e)s 人、"
                "采购人代表 %(r)s 人。",
                m=MIN_MEMBERS,
                e=experts,
                r=size - experts,
            ),
            field="members",
        )
    if len({s.user_id for s in seats}) != size:
        raise ValidationError(_("同一人不能在资格审查委员会中占两个席位。"), field="members")
    rows = [
        PrequalMember(prequal_id=prequal.id, user_id=s.user_id, kind=s.kind, name=s.name[:100])
        for s in seats
    ]
    db.session.add_all(rows)
    prequal.committee_draw_id = draw_id
    prequal.status = PrequalStatus.REVIEWING
    db.session.flush()
    record(
        actions.COMMITTEE_SEATED,
        prequal,
        {
            "lot_id": prequal.lot_id,
            "draw_id": draw_id,
            "members": [{"user_id": s.user_id, "kind": s.kind.value} for s in seats],
        },
        actor=actor,
    )
    for row in rows:
        account = db.session.get(User, row.user_id)
        if account is not None:
            notify(
                account,
                "prequal",
                _("资格审查：%(lot)s", lot=f"{prequal.lot.code} {prequal.lot.name}"),
                _("您已被确定为资格审查委员会成员，请逐一审查申请人并给出通过或不通过的意见。"),
                url_for("prequal.review_page", prequal_id=prequal.id),
            )
    return rows


def _refused(exc: Any, prequal: Prequalification, user: User) -> Any:
    return exc.audited(
        actions.REVIEW_REFUSED, prequal, {"lot_id": prequal.lot_id, "user_id": user.id}
    )


def give_verdict(
    user: User, application: PrequalApplication, passed: bool, reason: str = ""
) -> PrequalVerdict:
    """One member's pass or fail of one applicant; a fail says why. A member may change
    the verdict until the review is concluded (the change is in the log)."""
    prequal = application.prequal
    member = member_of(user, prequal)
    if member is None:
        raise _refused(
            Forbidden(_("您不是本次资格审查委员会的成员，不能审查申请人。")), prequal, user
        )
    if prequal.status != PrequalStatus.REVIEWING:
        raise _refused(Conflict(_("资格审查已经结束，意见不能再更改。")), prequal, user)
    reason = text_field(reason, _("审查意见"), "", "reason", required=not passed, max_len=2000)
    verdict = db.session.execute(
        select(PrequalVerdict).where(
            PrequalVerdict.application_id == application.id,
            PrequalVerdict.member_id == member.id,
        )
    ).scalar_one_or_none()
    now = clock.now()
    if verdict is None:
        verdict = PrequalVerdict(application_id=application.id, member_id=member.id)
        db.session.add(verdict)
    verdict.passed, verdict.reason, verdict.at = passed, reason, now
    db.session.flush()
    record(
        actions.VERDICT_GIVEN,
        verdict,
        {
            "lot_id": prequal.lot_id,
            "application_id": application.id,
            "supplier_id": application.supplier_id,
            "passed": passed,
            "reason": reason,
        },
        actor=user,
    )
    return verdict


def verdicts(prequal: Prequalification) -> dict[int, dict[int, PrequalVerdict]]:
    """application id → member id → verdict."""
    out: dict[int, dict[int, PrequalVerdict]] = {}
    rows = db.session.execute(
        select(PrequalVerdict)
        .join(PrequalApplication, PrequalApplication.id == PrequalVerdict.application_id)
        .where(PrequalApplication.prequal_id == prequal.id)
    ).scalars()
    for v in rows:
        out.setdefault(v.application_id, {})[v.member_id] = v
    return out


def missing(prequal: Prequalification) -> int:
    """How many verdicts the committee still owes."""
    given = verdicts(prequal)
    return sum(
        1 for a in applications(prequal) for m in prequal.members if m.id not in given.get(a.id, {})
    )


def _limit(prequal: Prequalification, passed: list[tuple[int, PrequalApplication]]) -> set[int]:
    """有限数量制: keep the most-supported passes (earlier application first on a tie)."""
    if prequal.review_method != ReviewMethod.LIMITED or prequal.max_passed is None:
        return {a.id for _n, a in passed}
    ranked = sorted(passed, key=lambda p: (-p[0], p[1].submitted_at, p[1].id))
    return {a.id for _n, a in ranked[: prequal.max_passed]}


def conclude(user: User, prequal: Prequalification) -> list[PrequalApplication]:
    """Decide every applicant by the committee's majority and send each its signed notice."""
    lot_policies.ensure_can_manage_lot(user, prequal.lot)
    if prequal.status != PrequalStatus.REVIEWING:
        raise Conflict(_("资格审查委员会尚未组建，或资格审查已经结束。"))
    owed = missing(prequal)
    if owed:
        raise Conflict(
            _("资格审查委员会还有 %(n)s 项审查意见未给出，全部给出后才能确定结果。", n=owed)
        )
    given = verdicts(prequal)
    rows = applications(prequal)
    majority: list[tuple[int, PrequalApplication]] = []
    tallies: dict[int, tuple[int, int]] = {}
    for app_row in rows:
        votes = list(given.get(app_row.id, {}).values())
        ayes = sum(1 for v in votes if v.passed)
        tallies[app_row.id] = (ayes, len(votes) - ayes)
        if ayes > len(votes) - ayes:
            majority.append((ayes, app_row))
    kept = _limit(prequal, majority)
    now = clock.now()
    for app_row in rows:
        ayes, noes = tallies[app_row.id]
        if app_row.id in kept:
            app_row.outcome, app_row.reasons = Outcome.PASSED, ""
        else:
            app_row.outcome = Outcome.FAILED
            fails = [v.reason for v in given.get(app_row.id, {}).values() if not v.passed]
            app_row.reasons = "；".join(dict.fromkeys(r for r in fails if r)) or _(
                "通过资格预审的申请人数量已满（有限数量制）。"
            )
        app_row.notice_sha256 = _issue_notice(prequal, app_row, now)
        app_row.notified_at = now
    prequal.status = PrequalStatus.CONCLUDED
    prequal.concluded_at = now
    db.session.flush()
    record(
        actions.CONCLUDED,
        prequal,
        {
            "lot_id": prequal.lot_id,
            "results": [
                {
                    "application_id": a.id,
                    "supplier_id": a.supplier_id,
                    "passed": a.outcome == Outcome.PASSED,
                    "for": tallies[a.id][0],
                    "against": tallies[a.id][1],
                    "notice_sha256": a.notice_sha256,
                }
                for a in rows
            ],
        },
        actor=user,
    )
    _announce_conclusion(user, prequal)
    return rows


def _announce_conclusion(user: User, prequal: Prequalification) -> None:
    """The public notice that the review is over (资格预审结果公告). It names no applicant
    and gives no count: the number of potential bidders stays secret until the opening
    (招标投标法 第二十二条); each applicant has its own signed notice."""
    lot, project = prequal.lot, prequal.lot.project
    fields: dict[str, Any] = {
        **notice_identity(prequal),
        "review_method": review_method_text(prequal.review_method, prequal.max_passed),
        "concluded_at": prequal.concluded_at,
        **party_fields(project, {}),
    }
    with force_locale("zh_CN"):
        title = fit_title(f"{project.name} {lot.name}", _("资格预审结果公告"))
        body = _(
            "“%(name)s”（%(lot)s）的资格审查已经结束，资格审查结果已以书面形式通知各申请人。"
            "通过资格预审的申请人将收到投标邀请书；未通过的申请人可查阅本单位的结果通知书。",
            name=project.name,
            lot=lot.name,
        )
    publish_announcement(
        user,
        project,
        AnnouncementKind.PREQUAL_RESULT,
        title,
        body,
        lot=lot,
        fields=fields,
        supersedes=None,
    )


def notice_record(prequal: Prequalification, row: PrequalApplication, at: Any) -> pdf.Record:
    lot, project = prequal.lot, prequal.lot.project
    passed = row.outcome == Outcome.PASSED
    # The notice is a legal document in Chinese, whatever the reader's language.
    title = "资格预审合格通知书" if passed else "资格预审结果通知书"
    text = (
        "经资格审查委员会审查，贵单位通过本项目资格预审。投标邀请书及招标文件的获取方式将另行通知。"
        if passed
        else f"经资格审查委员会审查，贵单位未通过本项目资格预审。原因：{row.reasons}"
    )
    return pdf.Record(
        title=title,
        subtitle=f"{project.name} {lot.name}",
        blocks=[
            pdf.Fields(
                [
                    ("申请人", row.supplier.name),
                    ("项目编号", project.code),
                    ("标段", f"{lot.code} {lot.name}"),
                    ("申请文件 SHA-256", row.file_sha256),
                    ("结果", "通过" if passed else "未通过"),
                ]
            ),
            pdf.Para(text),
            pdf.Fields(
                [
                    ("招标人", project.purchaser.name),
                    ("招标代理机构", project.agency.name),
                    ("发出日期", formatting.cst(at, formatting.CHINESE_DAY)),
                ]
            ),
        ],
        footer=f"Tender Hall 公共资源交易平台 · {title}",
    )


def _issue_notice(prequal: Prequalification, row: PrequalApplication, at: Any) -> str:
    """Render, sign (PAdES), store, and tell the applicant's accounts."""
    body = pdf.record_pdf(notice_record(prequal, row, at), reason="资格预审结果通知")
    sha, _size = get_store().put_bytes(body)
    assert sha == hashlib.sha256(body).hexdigest()
    passed = row.outcome == Outcome.PASSED
    for account in db.session.execute(
        select(User).where(User.organisation_id == row.supplier_id, User.role == Role.SUPPLIER)
    ).scalars():
        notify(
            account,
            "prequal",
            _("资格预审通过：%(lot)s", lot=f"{prequal.lot.code} {prequal.lot.name}")
            if passed
            else _("资格预审未通过：%(lot)s", lot=f"{prequal.lot.code} {prequal.lot.name}"),
            _("资格预审结果通知书已签发，请在平台查看和下载。"),
            url_for("prequal.supplier_page", prequal_id=prequal.id),
        )
    return sha
