"""评标报告签署: the members' signing keys, their signatures or refusals, and completion.

Keys: each member's ECDSA P-256 key pair is made in the browser (app/static/js/eval-sign.js);
the server receives the public key (SPKI, base64) and the private key wrapped under a
passphrase the member chose (PBKDF2-SHA-256, at least `MIN_ITERATIONS`, then AES-GCM).
It cannot unwrap it, so it cannot sign for anyone. A member may replace their key (a
forgotten passphrase) until they have signed the report version in force; earlier
signatures keep the key they were checked with.

Signing: the browser unwraps the key with the passphrase and signs
`report.signed_message(sha256)`; the server checks the signature against the key the
report lists for that member (which must still be the member's key) before storing it.
A member who will not sign writes a dissent (subject "report") instead. When every
active member has signed or refused, the session is done (评标结束) and, in the same
transaction, the complete report is handed to the lot's result stages
(`bidding.results.handoff`): the lot moves to 评标结束 and awaits its candidate publicity.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.audit import record
from app.core.auth.models import User
from app.core.crypto import p256_key_id, p256_public_key, verify_p256
from app.core.errors import Conflict, ValidationError
from app.core.extensions import db
from bidding.projects import get_lot
from bidding.results.handoff import receive_report
from remote_eval import actions, flow, policies, room
from remote_eval.models import Dissent, EvalMember, EvalReport, EvalSession, EvalSignature, Phase
from remote_eval.report import (
    answers,
    body_of,
    current_report,
    missing,
    signed_message,
    signed_report,
)

MIN_ITERATIONS = 600_000
MAX_ITERATIONS = 10_000_000
TEXT_MAX = 2000
WRAP_ALG = "PBKDF2-SHA256/AES-256-GCM"


def _b64_len(value: Any, lengths: tuple[int, ...] | None, field: str, limit: int = 512) -> None:
    bad = ValidationError(_l("签名密钥数据格式不正确。"), field=field)
    if not isinstance(value, str) or len(value) > limit:
        raise bad
    try:
        raw = base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise bad from None
    if lengths is not None and len(raw) not in lengths:
        raise bad


def check_wrapped(wrapped: Any) -> dict[str, Any]:
    """The wrapped private key as the browser sends it; only its shape can be checked here."""
    if not isinstance(wrapped, dict):
        raise ValidationError(_l("签名密钥数据格式不正确。"), field="wrapped_key")
    if wrapped.get("alg") != WRAP_ALG or wrapped.get("v") != 1:
        raise ValidationError(_l("签名密钥数据格式不正确。"), field="wrapped_key")
    iterations = wrapped.get("iterations")
    if not isinstance(iterations, int) or isinstance(iterations, bool):
        raise ValidationError(_l("签名密钥数据格式不正确。"), field="wrapped_key")
    if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
        raise ValidationError(
            _l("口令派生迭代次数至少为 %(n)s 次。", n=MIN_ITERATIONS), field="wrapped_key"
        )
    _b64_len(wrapped.get("salt"), (16, 32), "wrapped_key")
    _b64_len(wrapped.get("iv"), (12,), "wrapped_key")
    _b64_len(wrapped.get("ciphertext"), None, "wrapped_key", limit=1024)
    keep = ("v", "alg", "iterations", "salt", "iv", "ciphertext")
    return {k: wrapped[k] for k in keep}


def register_key(member: EvalMember, user: User, public_key: str, wrapped: Any) -> EvalMember:
    """Store the member's public key and wrapped private key (first time, or a replacement)."""
    policies.ensure_acting_member(user, member)
    session = member.session
    if session.phase == Phase.DONE:
        raise Conflict(_l("评标已经结束，不能再创建签名密钥。"))
    public_key = (public_key or "").strip()
    if p256_public_key(public_key) is None:
        raise ValidationError(_l("公钥不是有效的 P-256 公钥。"), field="public_key")
    blob = check_wrapped(wrapped)
    if member.public_key is not None:
        report = current_report(session)
        mine = answers(report).get(member.id) if report is not None else None
        if mine is not None and not mine.refused:
            raise Conflict(_l("您已用现有密钥签署本版评标报告，不能更换密钥。"))
    replaced = member.public_key is not None
    member.public_key, member.wrapped_key = public_key, blob
    db.session.flush()
    record(
        actions.SIGNING_KEY_REGISTERED,
        member,
        {"key_id": p256_key_id(public_key), "replaced": replaced},
        actor=user,
    )
    room.publish(session, "signing_key_registered", {"member_id": member.id})
    return member


def my_key(member: EvalMember, user: User) -> dict[str, Any]:
    """The caller's own wrapped key, for unwrapping in their browser at any venue terminal."""
    policies.ensure_acting_member(user, member)
    return {
        "member_id": member.id,
        "public_key": member.public_key,
        "key_id": p256_key_id(member.public_key) if member.public_key else None,
        "wrapped_key": member.wrapped_key,
    }


def _to_answer(session: EvalSession, member: EvalMember) -> EvalReport:
    flow.ensure_phase(session, Phase.SIGNING)
    policies.ensure_may_act(session, member)
    # One answer at a time per session (PostgreSQL row lock; SQLite serialises writers):
    # the answer that completes the report always sees every earlier one.
    db.session.refresh(session, with_for_update=True)
    report = current_report(session)
    if report is None:
        raise Conflict(_l("主持人尚未生成本轮评标报告。"))
    if member.id in answers(report):
        raise Conflict(_l("您已签署或拒签本版评标报告。"))
    return report


def listed_key(report: EvalReport, member: EvalMember) -> str | None:
    entry = next((m for m in body_of(report)["members"] if m["id"] == member.id), None)
    return entry.get("public_key") if entry else None


def sign(
    session: EvalSession, member: EvalMember, signature: str, sha256: str | None = None
) -> EvalSignature:
    """`sha256` is the hash the member's browser signed: a newer version is refused, not
    signed in their name."""
    report = _to_answer(session, member)
    if sha256 is not None and sha256 != report.sha256:
        raise Conflict(_l("评标报告已更新为第 %(n)s 版，请阅读新版本后再签署。", n=report.version))
    key = listed_key(report, member)
    if key is None:
        raise Conflict(
            _l("报告生成时您尚未创建签名密钥：请主持人重新生成报告，或书面说明不签署的理由。")
        )
    if key != member.public_key:
        raise Conflict(_l("您的签名密钥在报告生成后已更换：请主持人重新生成报告后再签署。"))
    signature = (signature or "").strip()
    if not verify_p256(key, signed_message(report.sha256), signature):
        raise ValidationError(
            _l("签名无法用您的公钥验证，未予保存。请确认签署的是当前版本的报告。"),
            field="signature",
        )
    row = EvalSignature(
        report_id=report.id,
        member_id=member.id,
        public_key=key,
        signature=signature,
        at=clock.now(),
    )
    db.session.add(row)
    db.session.flush()
    record(
        actions.REPORT_SIGNED,
        row,
        {"version": report.version, "sha256": report.sha256, "key_id": p256_key_id(key)},
        actor=member.user,
    )
    room.publish(session, "report_signed", {"member_id": member.id, "version": report.version})
    _finish_if_complete(session, report, member.user)
    return row


def refuse(session: EvalSession, member: EvalMember, text: str) -> EvalSignature:
    """A member who will not sign writes why; the dissent goes with the report version."""
    report = _to_answer(session, member)
    text = (text or "").strip()
    if not text:
        raise ValidationError(_l("拒绝签署须书面说明不同意见。"), field="text")
    if len(text) > TEXT_MAX:
        raise ValidationError(_l("不同意见不得超过 %(n)s 字。", n=TEXT_MAX), field="text")
    dissent = Dissent(
        session_id=session.id,
        cycle=session.cycle,
        member_id=member.id,
        subject="report",
        text=text,
        at=clock.now(),
    )
    db.session.add(dissent)
    db.session.flush()
    row = EvalSignature(
        report_id=report.id, member_id=member.id, dissent_id=dissent.id, at=clock.now()
    )
    db.session.add(row)
    db.session.flush()
    record(
        actions.REPORT_REFUSED,
        row,
        {"version": report.version, "sha256": report.sha256, "dissent_id": dissent.id},
        actor=member.user,
    )
    room.publish(session, "report_refused", {"member_id": member.id, "version": report.version})
    _finish_if_complete(session, report, member.user)
    return row


def _finish_if_complete(session: EvalSession, report: EvalReport, user: User) -> None:
    if missing(session, report):
        return
    flow.move_to(session, Phase.DONE)
    db.session.flush()
    record(
        actions.PHASE_ADVANCED,
        session,
        {
            "from": Phase.SIGNING.value,
            "to": Phase.DONE.value,
            "cycle": session.cycle,
            "report_version": report.version,
            "sha256": report.sha256,
        },
        actor=user,
    )
    receive_report(get_lot(session.lot_id), signed_report(report), user)
    room.publish(
        session,
        "phase.changed",
        {"from": Phase.SIGNING.value, "phase": Phase.DONE.value, "report_version": report.version},
    )


def signing_problems(session: EvalSession) -> list[Any]:
    """The host cannot end the signing phase by hand: every member signs or refuses."""
    report = current_report(session)
    if report is None:
        return [_l("评标报告尚未生成。")]
    left = missing(session, report)
    if left:
        return [_l("还有 %(n)s 名评委尚未签署或书面说明不签署的理由。", n=len(left))]
    return []


flow.register_exit_check(Phase.SIGNING, signing_problems)
