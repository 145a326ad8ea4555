"""Sealed quotes (综合评审): each qualified agency hands in one quote and technical proposal
sealed with the sealed-bid container (tenderhall-seal, the need's own RSA opening key);
the server keeps ciphertext and a signed receipt, and nobody reads a quote before the
buyer opens them all after the deadline.

Custody is lighter than a lot's k-of-n ceremony: the opening key's one share is sealed to
a passphrase derived from the server secret and the need, so a copy of the database alone
opens nothing, and `open_quotes` is the only code that unseals it, after the deadline."""

from __future__ import annotations

import hashlib
import hmac
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.crypto import (
    ContainerError,
    CustodyError,
    open_stream,
    recover_private_key,
    sign_receipt,
    unseal_share,
    validate_structure,
)
from app.core.crypto import custody as key_custody
from app.core.errors import Conflict, DomainError, Forbidden, ValidationError
from app.core.extensions import db
from app.core.storage import get_store
from app.market import actions, agencies, policies
from app.market.models import Need, NeedMethod, NeedStatus
from app.market.sealed_models import NeedOpeningKey, Quote, QuoteStatus, ReviewMember

QUOTE_MAX_BYTES = 200 * 1024 * 1024
CENTS = Decimal("0.01")
RECEIPT_FORMAT = "tenderhall-market-quote-receipt/1"


def lot_code(need: Need) -> str:
    """The container header's lot code for a need (the CLI's --lot-code)."""
    return f"FW-{need.id}"


def refuse(exc: DomainError, need: Need, what: str, **data: Any) -> DomainError:
    """A refusal the issue asks to keep: audited in its own transaction after the rollback."""
    return exc.audited(actions.SEALED_REFUSED, need, {"what": what, **data})


def record_refusal(exc: DomainError, actor: Any) -> None:
    """For pages that answer a refusal with a message instead of an error page: keep the
    refusal the API's error handler would have kept, after the caller's rollback."""
    if exc.refusal_audit is None:
        return
    action, obj, data = exc.refusal_audit
    record(action, obj, data | {"message": str(exc.message)}, actor=actor)
    db.session.commit()


def _passphrase(need: Need) -> str:
    secret = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(secret, f"market-opening:{need.id}".encode(), hashlib.sha256).hexdigest()


def create_key(need: Need) -> NeedOpeningKey:
    """The need's opening key pair, made when a sealed-quote need is posted."""
    made = key_custody.make_opening_key([_passphrase(need)], 1, scrypt_n=key_custody.SCRYPT_MIN_N)
    key = NeedOpeningKey(
        need_id=need.id,
        public_pem=made.public_pem,
        key_sha256=made.key_sha256,
        encrypted_private=made.encrypted_private,
        sealed_share=made.sealed_shares[0],
        created_at=clock.now(),
    )
    db.session.add(key)
    db.session.flush()
    return key


def opening_key(need: Need) -> NeedOpeningKey:
    key = db.session.get(NeedOpeningKey, need.id)
    if key is None:
        raise Conflict(_l("该需求不是综合评审，没有开启密钥。"))
    return key


def deadline_passed(need: Need) -> bool:
    return need.closes_at is not None and clock.now() >= need.closes_at


def quotes(need: Need) -> list[Quote]:
    return list(
        db.session.execute(
            select(Quote).where(Quote.need_id == need.id).order_by(Quote.submitted_at, Quote.id)
        ).scalars()
    )


def quote_of(need: Need, org_id: int) -> Quote | None:
    return db.session.execute(
        select(Quote).where(Quote.need_id == need.id, Quote.org_id == org_id)
    ).scalar_one_or_none()


def submit_quote(actor: Any, need: Need, stream: IO[bytes] | None, filename: str) -> Quote:
    """Take one sealed quote: checked without any key, stored, receipted with a signature."""
    policies.ensure_agency_user(actor)
    if need.method != NeedMethod.SEALED or need.status != NeedStatus.OPEN:
        raise Conflict(_l("该需求不在接收密封报价。"))
    if deadline_passed(need):
        raise refuse(
            Conflict(_l("报价截止时间已过，不再接收报价。")),
            need,
            "late",
            org=actor.organisation_id,
        )
    if quote_of(need, actor.organisation_id) is not None:
        raise refuse(
            Conflict(_l("贵机构已提交过报价；每家机构只能报价一次，提交后不能替换。")),
            need,
            "second",
            org=actor.organisation_id,
        )
    agencies.ensure_may_serve(actor.organisation_id, need.type_code, need.required_level)
    if stream is None or not filename:
        raise ValidationError(_l("请选择用加密工具生成的报价文件。"), field="file")
    key = opening_key(need)
    org = actor.organisation
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        try:
            sha, size = validate_structure(
                stream,
                lot_code(need),
                org.credit_code or "",
                QUOTE_MAX_BYTES,
                expected_key_sha256=key.key_sha256,
                copy_to=spool,
            )
        except ContainerError as exc:
            raise ValidationError(
                _l("报价文件无法通过检查：%(why)s", why=exc.message), field="file"
            ) from exc
        spool.seek(0)
        stored, _size = get_store().put_stream(spool, max_bytes=QUOTE_MAX_BYTES)
    assert stored == sha
    now = clock.now()
    quote = Quote(
        need_id=need.id,
        org_id=org.id,
        submitted_by=actor.id,
        sha256=sha,
        size=size,
        receipt={},
        submitted_at=now,
        status=QuoteStatus.SEALED,
        files=[],
    )
    db.session.add(quote)
    db.session.flush()
    entry = record(
        actions.QUOTE_SUBMITTED, need, {"org_id": org.id, "sha256": sha, "size": size}, actor=actor
    )
    quote.receipt = sign_receipt(
        {
            "format": RECEIPT_FORMAT,
            "need_id": need.id,
            "need_title": need.title,
            "bidder": org.name,
            "bidder_credit_code": org.credit_code,
            "sha256": sha,
            "size": size,
            "received_at": now.isoformat(),
            "audit_seq": entry.seq,
            "audit_hash": entry.entry_hash,
        }
    )
    return quote


def open_quotes(actor: Any, need: Need) -> list[Quote]:
    """After the deadline the buyer opens every quote at once: prices and proposals read
    (the scheduler does it at the deadline itself: `open_due`)."""
    policies.ensure_buyer_of(actor, need)
    if need.method != NeedMethod.SEALED:
        raise Conflict(_l("该需求不是综合评审。"))
    if not deadline_passed(need):
        raise refuse(Conflict(_l("报价截止前任何人都不能开启报价。")), need, "open_early")
    return _open(need, actor)


def open_due() -> int:
    """Scheduler job: open, at their deadline, the quotes of every sealed-quote need that
    received any (the buyer's button does the same if the sweep has not run yet)."""
    due = (
        db.session.execute(
            select(Need).where(
                Need.method == NeedMethod.SEALED,
                Need.status == NeedStatus.OPEN,
                Need.closes_at <= clock.now(),
            )
        )
        .scalars()
        .all()
    )
    opened = 0
    for need in due:
        if quotes(need):
            _open(need, None)
            db.session.commit()
            opened += 1
    return opened


def _open(need: Need, actor: Any) -> list[Quote]:
    key = opening_key(need)
    if key.opened_at is not None or need.status != NeedStatus.OPEN:
        raise Conflict(_l("报价已开启。"))
    rows = quotes(need)
    if not rows:
        raise Conflict(_l("截止时没有收到报价，不能开启；可终止后重新发布。"))
    store = get_store()
    try:
        share = unseal_share(key.sealed_share, _passphrase(need))
    except CustodyError as exc:
        raise Conflict(_l("开启密钥无法解开，请联系平台管理员。")) from exc
    with (
        recover_private_key(key.encrypted_private, [share]) as private,
        tempfile.TemporaryDirectory() as tmp,
    ):
        for quote in rows:
            _open_one(private, quote, need, Path(tmp) / str(quote.id), store)
    key.opened_at = clock.now()
    need.status = NeedStatus.CLOSED
    db.session.flush()
    record(
        actions.QUOTES_OPENED,
        need,
        {
            "quotes": [
                {
                    "org_id": q.org_id,
                    "price": str(q.price) if q.price is not None else None,
                    "status": q.status.value,
                    "files": [f["sha256"] for f in q.files],
                }
                for q in rows
            ]
        },
        actor=actor,
    )
    return rows


def _open_one(private: Any, quote: Quote, need: Need, folder: Path, store: Any) -> None:
    folder.mkdir()
    quote.opened_at = clock.now()
    try:
        with store.open(quote.sha256) as stream:
            opened = open_stream(
                private,
                stream,
                str(folder),
                expected_lot=lot_code(need),
                expected_sha256=quote.sha256,
            )
        price = opened.total_price
        if price is None or price <= 0:
            raise ContainerError("price_form", str(_l("开标一览表中没有有效的总报价。")))
    except ContainerError as exc:
        quote.status = QuoteStatus.INVALID
        quote.invalid_reason = str(exc.message)[:500]
        return
    files = []
    for f in opened.files:
        with open(f.path, "rb") as handle:
            sha, size = store.put_stream(handle)
        files.append({"name": f.name, "sha256": sha, "size": size, "content_type": f.content_type})
    quote.price = price.quantize(CENTS)
    quote.files = files
    quote.status = QuoteStatus.OPENED


def may_read(user: Any, need: Need, quote: Quote) -> bool:
    """After the opening: the buyer, the committee, supervisors, and the agency its own."""
    if policies.is_buyer_of(user, need) or policies.can_supervise_market(user):
        return True
    if policies.is_agency_user(user) and user.organisation_id == quote.org_id:
        return True
    return (
        getattr(user, "is_authenticated", False)
        and db.session.execute(
            select(ReviewMember.id).where(
                ReviewMember.need_id == need.id, ReviewMember.user_id == user.id
            )
        ).first()
        is not None
    )


def quote_file(actor: Any, need: Need, quote: Quote, index: int) -> dict[str, Any]:
    """One file of an opened proposal; refused (and audited) before the opening."""
    if quote.need_id != need.id:
        raise Forbidden(_l("该报价不属于此需求。"))
    if quote.status == QuoteStatus.SEALED:
        raise refuse(
            Forbidden(_l("报价开启前任何人都不能查看报价内容。")),
            need,
            "read_early",
            quote=quote.id,
        )
    if not may_read(actor, need, quote):
        raise refuse(
            Forbidden(_l("只有采购人、评审小组成员和监督人员可以查看报价文件。")),
            need,
            "read_denied",
            quote=quote.id,
        )
    if not 0 <= index < len(quote.files):
        raise ValidationError(_l("报价文件不存在。"), field="index")
    return dict(quote.files[index])
