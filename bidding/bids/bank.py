"""The bank's arrival notices (到账通知) and their matching to virtual sub-accounts.

Two roads in, one rule: the centre's staff import the bank's statement file (CSV), or the
bank calls the API with a signed message. Either way each credit is one `BankArrival`,
idempotent by the bank's transaction id, and `_match` decides at once whether it pays a
bond or waits for staff with a reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock
from app.core.audit import record
from app.core.auth.models import Centre, User
from app.core.crypto import ed25519_public_key_ok, open_secret, seal_secret, verify_ed25519
from app.core.db import to_money
from app.core.errors import Conflict, NotFound, Unauthorized, ValidationError
from app.core.extensions import db
from app.core.notify import notify
from bidding.bids import actions
from bidding.bids.bond_models import (
    ArrivalSource,
    ArrivalStatus,
    BankArrival,
    BankKey,
    BankNonce,
    HoldReason,
    KeyAlg,
    SubAccount,
)
from bidding.bids.models import BidBond, BondKind, BondStatus
from bidding.bids.policies import ensure_can_register_bank_keys, ensure_can_run_bond_account
from bidding.models import Lot, LotStatus

HMAC_PURPOSE = "bank-notice-hmac"


@dataclass(frozen=True)
class Arrival:
    """One credit as the bank states it, before it is stored."""

    txn_id: str
    sub_account: str
    amount: Decimal
    payer_account: str
    payer_name: str
    paid_at: dt.datetime

    def same_as(self, row: BankArrival) -> bool:
        return (
            row.sub_account_number == self.sub_account
            and row.amount == self.amount
            and row.payer_account == self.payer_account
            and row.paid_at == self.paid_at
        )


# ---------------------------------------------------------------- matching


def _hold_reason(arrival: Arrival, sub: SubAccount | None) -> HoldReason | None:
    if sub is None:
        return HoldReason.UNKNOWN_ACCOUNT
    lot = sub.lot
    if lot.bid_deadline is None or arrival.paid_at >= lot.bid_deadline:
        return HoldReason.AFTER_DEADLINE
    if lot.status != LotStatus.PUBLISHED:
        return HoldReason.LOT_CLOSED
    bond = _bond(sub)
    if bond is not None and bond.status == BondStatus.ACCEPTED:
        return HoldReason.ALREADY_PAID
    if arrival.amount != sub.amount_due:
        return HoldReason.AMOUNT_MISMATCH
    return None


def _bond(sub: SubAccount) -> BidBond | None:
    return db.session.execute(
        select(BidBond).where(BidBond.lot_id == sub.lot_id, BidBond.supplier_id == sub.supplier_id)
    ).scalar_one_or_none()


def _credit(row: BankArrival, sub: SubAccount, actor: User | None) -> BidBond:
    """The sub-account's bond becomes a paid, accepted bond (a pending guarantee gives way)."""
    bond = _bond(sub) or BidBond(lot_id=sub.lot_id, supplier_id=sub.supplier_id)
    bond.kind, bond.status, bond.amount = BondKind.PAID, BondStatus.ACCEPTED, row.amount
    bond.reference, bond.payer_account = row.bank_txn_id[:100], row.payer_account[:60]
    bond.letter_sha256, bond.letter_name, bond.note = None, "", ""
    # A bank notice has no acting user: the sub-account's holder stands as the recorder.
    bond.recorded_by_id = actor.id if actor is not None else sub.issued_by_id
    bond.recorded_at = bond.decided_at = clock.now()
    bond.decided_by_id = actor.id if actor is not None else None
    db.session.add(bond)
    db.session.flush()
    row.bond_id = bond.id
    return bond


def _store(
    centre: Centre,
    arrival: Arrival,
    source: ArrivalSource,
    *,
    actor: User | None,
    key: BankKey | None = None,
) -> BankArrival:
    sub = db.session.execute(
        select(SubAccount).where(SubAccount.number == arrival.sub_account)
    ).scalar_one_or_none()
    if sub is not None and sub.lot.project.centre_id != centre.id:
        sub = None  # another centre's sub-account: not ours to credit
    reason = _hold_reason(arrival, sub)
    row = BankArrival(
        centre_id=centre.id,
        bank_txn_id=arrival.txn_id,
        source=source,
        sub_account_number=arrival.sub_account,
        sub_account_id=sub.id if sub is not None else None,
        amount=arrival.amount,
        payer_account=arrival.payer_account,
        payer_name=arrival.payer_name,
        paid_at=arrival.paid_at,
        received_at=clock.now(),
        status=ArrivalStatus.HELD if reason else ArrivalStatus.MATCHED,
        hold_reason=reason,
        bank_key_id=key.id if key is not None else None,
        recorded_by_id=actor.id if actor is not None else None,
    )
    db.session.add(row)
    db.session.flush()
    if reason is None:
        assert sub is not None
        _credit(row, sub, actor)
    if sub is not None:
        _tell_supplier(sub, row)
    record(
        actions.ARRIVAL_MATCHED if reason is None else actions.ARRIVAL_HELD,
        row,
        {
            "txn": row.bank_txn_id,
            "source": source.value,
            "amount": str(row.amount),
            "lot": sub.lot_id if sub is not None else None,
            "reason": reason.value if reason else None,
        },
        actor=actor,
    )
    return row


def _tell_supplier(sub: SubAccount, row: BankArrival) -> None:
    """The sub-account's holder learns at once what arrived (only its own payment)."""
    holder = db.session.get(User, sub.issued_by_id)
    if holder is None:
        return
    lot = sub.lot
    if row.status == ArrivalStatus.MATCHED:
        title = _("投标保证金已到账：%(c)s", c=lot.code)
        body = _("%(a)s 元已到账并确认，可以递交投标文件。", a=row.amount)
    else:
        title = _("投标保证金到账待处理：%(c)s", c=lot.code)
        body = _("%(a)s 元已到账，但未能自动确认，交易中心将处理。", a=row.amount)
    notify(holder, "bond", title, body, f"/bonds/lots/{lot.id}/mine")


def _existing(centre: Centre, txn_id: str) -> BankArrival | None:
    return db.session.execute(
        select(BankArrival).where(
            BankArrival.centre_id == centre.id, BankArrival.bank_txn_id == txn_id
        )
    ).scalar_one_or_none()


# ---------------------------------------------------------------- parsing one credit


def _parse_amount(text: str) -> Decimal:
    value = to_money(text.replace(",", "").strip())
    if value <= 0:
        raise ValueError("not positive")
    return value


def _parse_time(text: str) -> dt.datetime:
    return clock.parse_cst(text)


def arrival_from(fields: dict[str, Any]) -> tuple[Arrival | None, list[str]]:
    """An Arrival from raw fields, or the list of what is wrong with them."""
    errors: list[str] = []
    txn = str(fields.get("txn_id") or "").strip()
    sub = str(fields.get("sub_account") or "").strip().replace(" ", "")
    payer = str(fields.get("payer_account") or "").strip().replace(" ", "")
    if not txn or len(txn) > 64:
        errors.append(_("交易流水号为空或超过 64 个字符"))
    if not sub.isdigit() or len(sub) > 32:
        errors.append(_("虚拟子账号应为数字"))
    if not payer or len(payer) > 60:
        errors.append(_("付款账号为空或过长"))
    try:
        amount = _parse_amount(str(fields.get("amount") or ""))
    except (InvalidOperation, ValueError, TypeError):
        errors.append(_("金额应为大于零的数字（元，最多两位小数）"))
        amount = Decimal("0")
    raw_time = fields.get("paid_at")
    try:
        if isinstance(raw_time, dt.datetime):
            paid_at = raw_time if raw_time.tzinfo else raw_time.replace(tzinfo=clock.CST)
            paid_at = paid_at.astimezone(dt.UTC)
        else:
            paid_at = _parse_time(str(raw_time or ""))
    except (ValueError, TypeError):
        errors.append(_("交易时间应为“年-月-日 时:分:秒”（北京时间）"))
        paid_at = clock.now()
    if errors:
        return None, errors
    name = str(fields.get("payer_name") or "").strip()[:200]
    return Arrival(txn, sub, amount, payer, name, paid_at), []


# ---------------------------------------------------------------- the statement file


# The columns of a statement: our English names, or the headings Chinese banks print.
COLUMNS = {
    "txn_id": ("txn_id", "交易流水号", "流水号"),
    "sub_account": ("sub_account", "虚拟子账号", "子账号"),
    "amount": ("amount", "金额", "交易金额", "贷方金额"),
    "payer_account": ("payer_account", "付款账号", "对方账号"),
    "payer_name": ("payer_name", "付款户名", "对方户名"),
    "paid_at": ("paid_at", "交易时间", "到账时间"),
}
REQUIRED = ("txn_id", "sub_account", "amount", "payer_account", "paid_at")


@dataclass
class ImportResult:
    added: list[BankArrival]
    already: int  # rows whose transaction was recorded before (identical)

    @property
    def matched(self) -> int:
        return sum(1 for r in self.added if r.status == ArrivalStatus.MATCHED)

    @property
    def held(self) -> int:
        return sum(1 for r in self.added if r.status == ArrivalStatus.HELD)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(_("对账单文件应为 UTF-8 或 GBK 编码的 CSV 文件。"), field="file")


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, title in enumerate(header):
        for name, aliases in COLUMNS.items():
            if title.strip() in aliases:
                found[name] = index
    missing = [COLUMNS[n][1] for n in REQUIRED if n not in found]
    if missing:
        raise ValidationError(_("对账单缺少以下列：%(c)s。", c="、".join(missing)), field="file")
    return found


def import_statement(centre: Centre, actor: User, filename: str, data: bytes) -> ImportResult:
    """Import a bank statement: every row or none. Rows already recorded (same transaction,
    same facts) are skipped, so importing a file twice changes nothing."""
    ensure_can_run_bond_account(actor, centre.id)
    limit = int(current_app.config.get("BOND_STATEMENT_MAX_ROWS", 5000))
    rows = list(csv.reader(io.StringIO(_decode(data))))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise ValidationError(_("对账单文件是空的。"), field="file")
    columns = _header_map(rows[0])
    if len(rows) - 1 > limit:
        raise ValidationError(_("对账单一次最多导入 %(n)s 行。", n=limit), field="file")
    errors: list[str] = []
    parsed: list[Arrival] = []
    seen: dict[str, int] = {}
    for line, cells in enumerate(rows[1:], start=2):
        fields = {n: (cells[i] if i < len(cells) else "") for n, i in columns.items()}
        arrival, problems = arrival_from(fields)
        if arrival is not None and arrival.txn_id in seen:
            problems = [_("流水号与第 %(n)s 行重复", n=seen[arrival.txn_id])]
        if arrival is not None and not problems:
            old = _existing(centre, arrival.txn_id)
            if old is not None and not arrival.same_as(old):
                problems = [_("流水号 %(t)s 已导入，但本行内容与之不同", t=arrival.txn_id)]
        if problems:
            errors.append(_("第 %(n)s 行：%(p)s", n=line, p="；".join(problems)))
            continue
        assert arrival is not None
        seen[arrival.txn_id] = line
        parsed.append(arrival)
    if errors:
        raise ValidationError(
            _("对账单有 %(n)s 行错误，未导入任何一行。", n=len(errors)),
            field="file",
            errors="\n".join(errors),
        )
    added: list[BankArrival] = []
    already = 0
    for arrival in parsed:
        if _existing(centre, arrival.txn_id) is not None:
            already += 1
            continue
        added.append(_store(centre, arrival, ArrivalSource.STATEMENT, actor=actor))
    record(
        actions.STATEMENT_IMPORTED,
        centre,
        {
            "file": filename[:200],
            "sha256": hashlib.sha256(data).hexdigest(),
            "added": len(added),
            "already": already,
        },
        actor=actor,
    )
    return ImportResult(added, already)


# ---------------------------------------------------------------- the bank's signed notice


def signed_message(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes a bank signs: method, path, timestamp, nonce, each on a line, then
    the request body as sent."""
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n".encode() + body


def _key(key_id: str) -> BankKey:
    key = db.session.execute(select(BankKey).where(BankKey.key_id == key_id)).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        raise Unauthorized(_("银行密钥未登记或已停用。"))
    return key


def _signature_ok(key: BankKey, message: bytes, signature: str) -> bool:
    if key.alg == KeyAlg.ED25519:
        return verify_ed25519(key.public_key, message, signature)
    secret = open_secret(key.sealed_secret, HMAC_PURPOSE)
    expected = hmac.new(secret, message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature.strip().lower())


def authenticate_notice(
    key_id: str, timestamp: str, nonce: str, signature: str, message: bytes
) -> BankKey:
    """Check a notice's signature, its freshness and that its nonce was never used."""
    key = _key(key_id.strip())
    if not (8 <= len(nonce) <= 64) or not nonce.isascii() or not nonce.isalnum():
        raise Unauthorized(_("随机数（nonce）应为 8–64 位字母或数字。"))
    if not _signature_ok(key, message, signature):
        raise Unauthorized(_("签名验证失败。"))
    try:
        sent = dt.datetime.fromtimestamp(int(timestamp), dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise Unauthorized(_("时间戳应为 Unix 秒数。")) from exc
    skew = int(current_app.config.get("BANK_NOTICE_MAX_SKEW_SECONDS", 300))
    if abs((clock.now() - sent).total_seconds()) > skew:
        raise Unauthorized(_("时间戳与服务器时间相差超过 %(s)s 秒。", s=skew))
    used = db.session.execute(
        select(BankNonce.id).where(BankNonce.bank_key_id == key.id, BankNonce.nonce == nonce)
    ).first()
    if used is not None:
        raise Conflict(_("该通知已收到过（随机数重复），拒绝重放。"))
    db.session.add(BankNonce(bank_key_id=key.id, nonce=nonce, seen_at=clock.now()))
    db.session.flush()
    return key


def purge_nonces() -> int:
    """Forget nonces older than twice the timestamp window: a notice that old is refused by
    its timestamp anyway, so its nonce no longer guards against anything."""
    skew = int(current_app.config.get("BANK_NOTICE_MAX_SKEW_SECONDS", 300))
    cutoff = clock.now() - dt.timedelta(seconds=2 * skew)
    old = list(db.session.execute(select(BankNonce).where(BankNonce.seen_at < cutoff)).scalars())
    for row in old:
        db.session.delete(row)
    db.session.flush()
    return len(old)


def receive_notice(key: BankKey, fields: dict[str, Any]) -> tuple[BankArrival, bool]:
    """Store an authenticated notice; a transaction already recorded is answered, not doubled.
    Returns (arrival, created)."""
    centre = db.session.get(Centre, key.centre_id)
    assert centre is not None
    arrival, problems = arrival_from(fields)
    if arrival is None:
        raise ValidationError("；".join(problems))
    old = _existing(centre, arrival.txn_id)
    if old is not None:
        if not arrival.same_as(old):
            raise Conflict(_("流水号 %(t)s 已收到，但内容不同。", t=arrival.txn_id))
        return old, False
    return _store(centre, arrival, ArrivalSource.NOTICE, actor=None, key=key), True


# ---------------------------------------------------------------- held payments


def held_arrivals(actor: User, centre_id: int | None) -> list[BankArrival]:
    ensure_can_run_bond_account(actor, centre_id)
    return list(
        db.session.execute(
            select(BankArrival)
            .where(BankArrival.centre_id == centre_id, BankArrival.status == ArrivalStatus.HELD)
            .order_by(BankArrival.received_at)
        ).scalars()
    )


def resolve_arrival(row: BankArrival, actor: User, *, credit: bool, note: str) -> BankArrival:
    """Centre staff settle a held payment: credit it to its sub-account's bond (an
    over-payment, say), or send it back to the payer (a refund with a deadline)."""
    ensure_can_run_bond_account(actor, row.centre_id)
    if row.status != ArrivalStatus.HELD:
        raise Conflict(_("该笔到账已处理。"))
    if not note.strip():
        raise ValidationError(_("请说明处理理由。"), field="note")
    if credit:
        sub = row.sub_account
        if sub is None:
            raise Conflict(_("未知子账号的款项不能计为保证金，只能退回付款人。"))
        lot: Lot = sub.lot
        if lot.bid_deadline is None or row.paid_at >= lot.bid_deadline:
            raise Conflict(_("投标截止后到账的款项不能计为保证金，只能退回付款人。"))
        if row.amount < sub.amount_due:
            raise Conflict(_("到账金额低于应缴金额，不能计为保证金，只能退回付款人。"))
        bond = _bond(sub)
        if bond is not None and bond.status == BondStatus.ACCEPTED:
            raise Conflict(_("该子账号的保证金已确认，这笔款项只能退回付款人。"))
        _credit(row, sub, actor)
        row.status = ArrivalStatus.CREDITED
    else:
        from bidding.bids.refunds import start_arrival_return

        row.status = ArrivalStatus.RETURNED
        start_arrival_return(row, actor)
    row.resolved_by_id, row.resolved_at = actor.id, clock.now()
    row.resolution_note = note.strip()[:1000]
    db.session.flush()
    record(
        actions.ARRIVAL_CREDITED if credit else actions.ARRIVAL_RETURNED,
        row,
        {"txn": row.bank_txn_id, "note": row.resolution_note},
        actor=actor,
    )
    return row


def load_arrival(arrival_id: int) -> BankArrival:
    row = db.session.get(BankArrival, arrival_id)
    if row is None:
        raise NotFound(_("到账记录不存在。"))
    return row


# ---------------------------------------------------------------- banks' keys


def register_key(
    centre: Centre, actor: User, *, bank_name: str, alg: str, public_key: str = ""
) -> tuple[BankKey, str | None]:
    """Register a bank's key. Ed25519: the bank's public key. HMAC-SHA256: the platform makes
    the shared secret and returns it once (it is kept sealed, never shown again)."""
    ensure_can_register_bank_keys(actor, centre.id)
    if not bank_name.strip():
        raise ValidationError(_("请填写银行名称。"), field="bank_name")
    try:
        kind = KeyAlg(alg)
    except ValueError as exc:
        raise ValidationError(_("签名算法应为 Ed25519 或 HMAC-SHA256。"), field="alg") from exc
    secret: str | None = None
    key = BankKey(
        centre_id=centre.id,
        key_id="bk_" + secrets.token_hex(8),
        bank_name=bank_name.strip()[:100],
        alg=kind,
        created_by_id=actor.id,
        created_at=clock.now(),
    )
    if kind == KeyAlg.ED25519:
        if not ed25519_public_key_ok(public_key):
            raise ValidationError(
                _("请粘贴银行的 Ed25519 公钥（PEM 或 64 位十六进制）。"), field="public_key"
            )
        key.public_key = public_key.strip()
    else:
        secret = secrets.token_hex(32)
        key.sealed_secret = seal_secret(secret.encode(), HMAC_PURPOSE)
    db.session.add(key)
    db.session.flush()
    record(
        actions.BANK_KEY_REGISTERED,
        key,
        {"key_id": key.key_id, "bank": key.bank_name, "alg": kind.value},
        actor=actor,
    )
    return key, secret


def revoke_key(key: BankKey, actor: User) -> BankKey:
    ensure_can_register_bank_keys(actor, key.centre_id)
    if key.revoked_at is not None:
        raise Conflict(_("该密钥已停用。"))
    key.revoked_at = clock.now()
    db.session.flush()
    record(actions.BANK_KEY_REVOKED, key, {"key_id": key.key_id}, actor=actor)
    return key


def keys_of(actor: User, centre_id: int | None) -> list[BankKey]:
    ensure_can_register_bank_keys(actor, centre_id)
    return list(
        db.session.execute(
            select(BankKey).where(BankKey.centre_id == centre_id).order_by(BankKey.id.desc())
        ).scalars()
    )


def load_key(key_id: int) -> BankKey:
    key = db.session.get(BankKey, key_id)
    if key is None:
        raise NotFound(_("银行密钥不存在。"))
    return key
