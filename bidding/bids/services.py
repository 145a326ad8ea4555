"""Sealed bids: eligibility, bonds, opening keys, resumable uploads, receipts, the freeze.

Before the deadline the server holds only ciphertext; nothing here can decrypt it, because
the opening private key exists only wrapped under a key split among custodians, and
`present_share` refuses every share until the deadline has passed (see opening.py).
"""

from __future__ import annotations

import hashlib
import os
import secrets
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import audit, clock, formatting
from app.core.audit import record
from app.core.audit.chain import canonical_json
from app.core.audit.models import AuditEntry
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.db import to_money
from app.core.errors import Conflict, Forbidden, NotFound, TooLate, ValidationError
from app.core.extensions import db
from app.core.http import client_info
from app.core.notify import notify
from app.core.storage import CHUNK, get_store
from bidding.bids import sealing
from bidding.bids.models import (
    Bid,
    BidBond,
    BidStatus,
    BidUpload,
    BondKind,
    BondStatus,
    LotCustodian,
    LotFreeze,
    LotOpeningKey,
    UploadStatus,
)
from bidding.bids.policies import HALL
from bidding.models import Lot, LotStatus


def cfg(key: str) -> Any:
    return current_app.config[key]


# ---------------------------------------------------------------- policies (named, reused)


def manages_lot(user: Any, lot: Lot) -> bool:
    from bidding.policies import can_manage_project

    return bool(can_manage_project(user, lot.project))


def oversees_lot(user: Any, lot: Lot) -> bool:
    from bidding.policies import can_oversee_centre

    return bool(can_oversee_centre(user, lot.project.centre_id))


def ensure_manages_lot(user: Any, lot: Lot) -> None:
    if not manages_lot(user, lot):
        raise Forbidden(_("只有本项目代理机构的工作人员可以执行此操作。"))


def deadline_passed(lot: Lot) -> bool:
    return lot.bid_deadline is not None and clock.now() >= lot.bid_deadline


# ---------------------------------------------------------------- eligibility


def bid_problems(lot: Lot, org: Organisation | None) -> list[str]:
    """Every reason this organisation may not bid on the lot now (empty → it may)."""
    if org is None or org.kind != OrgKind.SUPPLIER:
        return [_("只有供应商单位的账号可以投标。")]
    return _changing_problems(lot, org) + _standing_problems(lot, org)


def _changing_problems(lot: Lot, org: Organisation) -> list[str]:
    """The conditions that can turn against a bidder at any moment, even mid-upload."""
    problems: list[str] = []
    now = clock.now()
    if lot.status != LotStatus.PUBLISHED:
        problems.append(_("该标段当前不在投标期，不接受投标文件。"))
    if lot.bid_deadline is None or now >= lot.bid_deadline:
        problems.append(
            _(
                "投标截止时间（%(t)s 北京时间）已过，服务器按自身时钟拒绝接收投标文件。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    if org.blacklisted_until is not None and org.blacklisted_until > now:
        problems.append(
            _(
                "贵单位被列入失信名单至 %(t)s，期间不得参加投标。",
                t=formatting.cst(org.blacklisted_until, formatting.SECOND),
            )
        )
    return problems


def _standing_problems(lot: Lot, org: Organisation) -> list[str]:
    """Conditions that, once met, stay met: a download is never undone, an accepted bond is
    final and an opening key cannot be regenerated. Hence a chunk of an upload that began
    with them met need not query them again; the finish re-checks them with everything else.
    """
    problems: list[str] = []
    if not _downloaded(lot, org):
        problems.append(_("贵单位尚未下载本标段的招标文件；下载招标文件后方可投标。"))
    if lot.bid_bond > 0 and _accepted_bond(lot, org) is None:
        problems.append(
            _(
                "投标保证金（%(a)s 元）尚未缴纳或保函尚未被确认；保证金登记并确认后方可投标。",
                a=lot.bid_bond,
            )
        )
    if (
        db.session.execute(select(LotOpeningKey.id).where(LotOpeningKey.lot_id == lot.id)).first()
        is None
    ):
        problems.append(_("本标段的开标密钥尚未生成，暂不能投标。"))
    return problems


def _downloaded(lot: Lot, org: Organisation) -> bool:
    try:
        from bidding.documents.models import DocumentDownload
    except ImportError:  # documents not installed: nothing to require
        return True
    return (
        db.session.execute(
            select(DocumentDownload.id).where(
                DocumentDownload.lot_id == lot.id, DocumentDownload.supplier_id == org.id
            )
        ).first()
        is not None
    )


def _accepted_bond(lot: Lot, org: Organisation) -> BidBond | None:
    return db.session.execute(
        select(BidBond).where(
            BidBond.lot_id == lot.id,
            BidBond.supplier_id == org.id,
            BidBond.status == BondStatus.ACCEPTED,
        )
    ).scalar_one_or_none()


def ensure_can_bid(lot: Lot, user: User, *, mid_upload: bool = False) -> Organisation:
    """`mid_upload`: a further chunk of an upload whose start passed every check; only what
    can have changed since is checked again (see `_standing_problems`)."""
    if user is None or user.role != Role.SUPPLIER:
        raise Forbidden(_("只有供应商可以提交投标文件。"))
    org = user.organisation
    if mid_upload and org is not None and org.kind == OrgKind.SUPPLIER:
        problems = _changing_problems(lot, org)
    else:
        problems = bid_problems(lot, org)
    if problems:
        if deadline_passed(lot):
            raise TooLate("；".join(problems))
        raise Conflict("；".join(problems))
    assert org is not None
    return org


# ---------------------------------------------------------------- bid bonds


def _bond_amount(lot: Lot, amount: Any) -> Decimal:
    try:
        value = to_money(amount)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValidationError(
            _("保证金金额应为数字（元，最多两位小数）。"), field="amount"
        ) from exc
    if value < lot.bid_bond:
        raise ValidationError(
            _("保证金金额 %(v)s 元低于本标段要求的 %(a)s 元。", v=value, a=lot.bid_bond),
            field="amount",
        )
    return value


def _existing_bond(lot: Lot, supplier: Organisation) -> BidBond | None:
    bond = db.session.execute(
        select(BidBond).where(BidBond.lot_id == lot.id, BidBond.supplier_id == supplier.id)
    ).scalar_one_or_none()
    if bond is not None and bond.status == BondStatus.ACCEPTED:
        raise Conflict(_("该供应商的投标保证金已确认，无需重复登记。"))
    return bond


def record_paid_bond(
    lot: Lot,
    supplier: Organisation,
    actor: User,
    *,
    amount: Any,
    reference: str,
    payer_account: str = "",
) -> BidBond:
    """Staff record a bond received in the centre's account; it counts at once."""
    ensure_manages_lot(actor, lot)
    if supplier.kind != OrgKind.SUPPLIER:
        raise ValidationError(_("只能为供应商登记投标保证金。"), field="supplier_id")
    if deadline_passed(lot):
        raise TooLate(_("投标截止时间已过，不能再登记投标保证金。"))
    value = _bond_amount(lot, amount)
    if not reference.strip():
        raise ValidationError(_("请填写银行流水号。"), field="reference")
    bond = _existing_bond(lot, supplier) or BidBond(lot_id=lot.id, supplier_id=supplier.id)
    now = clock.now()
    bond.kind, bond.status, bond.amount = BondKind.PAID, BondStatus.ACCEPTED, value
    bond.reference, bond.payer_account = reference.strip()[:100], payer_account.strip()[:60]
    bond.recorded_by_id, bond.recorded_at = actor.id, now
    bond.decided_by_id, bond.decided_at = actor.id, now
    db.session.add(bond)
    db.session.flush()
    record(
        "bid.bond.paid",
        bond,
        {"lot": lot.id, "supplier": supplier.id, "amount": str(value), "reference": bond.reference},
        actor=actor,
    )
    return bond


def submit_guarantee(
    lot: Lot, user: User, *, amount: Any, reference: str, filename: str, stream: IO[bytes]
) -> BidBond:
    """A supplier uploads a guarantee letter (保函); staff accept it before it counts."""
    if user.role != Role.SUPPLIER or user.organisation is None:
        raise Forbidden(_("只有供应商可以提交保函。"))
    if deadline_passed(lot) or lot.status != LotStatus.PUBLISHED:
        raise TooLate(_("该标段不在投标期，不能提交保函。"))
    value = _bond_amount(lot, amount)
    name = (filename or "").strip()
    if not name.lower().endswith((".pdf", ".ofd", ".jpg", ".png")):
        raise ValidationError(_("保函文件须为 PDF、OFD、JPG 或 PNG 格式。"), field="file")
    sha, _size = get_store().put_stream(stream, max_bytes=int(cfg("MAX_DOCUMENT_BYTES")))
    bond = _existing_bond(lot, user.organisation) or BidBond(
        lot_id=lot.id, supplier_id=user.organisation.id
    )
    bond.kind, bond.status, bond.amount = BondKind.GUARANTEE, BondStatus.PENDING, value
    bond.reference, bond.letter_sha256, bond.letter_name = reference.strip()[:100], sha, name[:200]
    bond.recorded_by_id, bond.recorded_at = user.id, clock.now()
    bond.decided_by_id = bond.decided_at = None
    db.session.add(bond)
    db.session.flush()
    record("bid.bond.guarantee_submitted", bond, {"lot": lot.id, "sha256": sha}, actor=user)
    return bond


def decide_bond(bond: BidBond, actor: User, *, accept: bool, note: str = "") -> BidBond:
    lot = db.session.get(Lot, bond.lot_id)
    assert lot is not None
    ensure_manages_lot(actor, lot)
    if bond.status != BondStatus.PENDING:
        raise Conflict(_("该保证金记录已处理。"))
    if not accept and not note.strip():
        raise ValidationError(_("退回保函须说明理由。"), field="note")
    bond.status = BondStatus.ACCEPTED if accept else BondStatus.REJECTED
    bond.decided_by_id, bond.decided_at, bond.note = actor.id, clock.now(), note.strip()
    db.session.flush()
    record(
        "bid.bond." + ("accepted" if accept else "rejected"), bond, {"note": bond.note}, actor=actor
    )
    return bond


# ---------------------------------------------------------------- opening key custody


def create_opening_key(
    lot: Lot, custodians: list[tuple[User, str]], k: int | None, actor: User
) -> LotOpeningKey:
    """Make the lot's opening key pair; seal one share to each custodian's passphrase.

    The passphrases are typed by the custodians themselves at the key ceremony and never
    stored: only their scrypt-sealed shares are. k ≥ 2, so no single custodian can open.
    """
    ensure_manages_lot(actor, lot)
    if db.session.execute(select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)).first():
        raise Conflict(_("本标段的开标密钥已生成，不能重复生成。"))
    if lot.status not in (LotStatus.DRAFT, LotStatus.PUBLISHED) or deadline_passed(lot):
        raise Conflict(_("只能在投标截止前为登记中或公告中的标段生成开标密钥。"))
    k = int(k or cfg("OPENING_KEY_THRESHOLD"))
    n = len(custodians)
    if n < 2:
        raise ValidationError(_("至少需要 2 名密钥保管人。"), field="custodians")
    if not 2 <= k <= n:
        raise ValidationError(
            _("开启门限 k 须在 2 到保管人数 %(n)s 之间，任何单独一人都不能开启。", n=n), field="k"
        )
    ids = [u.id for u, _p in custodians]
    if len(set(ids)) != n:
        raise ValidationError(_("同一人不能担任两份密钥的保管人。"), field="custodians")
    min_len = int(cfg("CUSTODIAN_PASSPHRASE_MIN_LENGTH"))
    for user, passphrase in custodians:
        if user.role not in (Role.STAFF, Role.SUPERVISOR, Role.ADMIN) or not user.is_active:
            raise ValidationError(
                _(
                    "%(u)s 不能担任密钥保管人（须为在职的工作人员或监督人员）。",
                    u=user.display_name,
                ),
                field="custodians",
            )
        if len(passphrase or "") < min_len:
            raise ValidationError(
                _("%(u)s 的口令过短：至少 %(n)s 个字符。", u=user.display_name, n=min_len),
                field="passphrase",
            )
    made = sealing.make_opening_key([p for _u, p in custodians], k)
    key = LotOpeningKey(
        lot_id=lot.id,
        public_pem=made.public_pem,
        fingerprint=made.key_sha256,
        wrapped_private=made.encrypted_private,
        k=k,
        n=n,
        created_at=clock.now(),
    )
    db.session.add(key)
    for i, ((user, _p), sealed) in enumerate(zip(custodians, made.sealed_shares, strict=True)):
        db.session.add(
            LotCustodian(lot_id=lot.id, user_id=user.id, share_index=i + 1, sealed_share=sealed)
        )
    db.session.flush()
    record(
        "bid.opening_key.created",
        lot,
        {"fingerprint": key.fingerprint, "k": k, "n": n, "custodians": ids},
        actor=actor,
    )
    for user, _p in custodians:
        notify(
            user,
            "custody",
            _("您已被指定为 %(c)s 的开标密钥保管人", c=lot.code),
            _("请牢记您设置的口令；开标时需要 %(k)s/%(n)s 名保管人出示分片。", k=k, n=n),
        )
    return key


def opening_key(lot: Lot) -> LotOpeningKey:
    key = db.session.execute(
        select(LotOpeningKey).where(LotOpeningKey.lot_id == lot.id)
    ).scalar_one_or_none()
    if key is None:
        raise NotFound(_("本标段尚未生成开标密钥。"))
    return key


# ---------------------------------------------------------------- resumable upload


def _upload_path(token: str) -> Path:
    root = get_store().root / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    return root / token


def start_upload(lot: Lot, user: User, *, size: int, fingerprint: str = "") -> BidUpload:
    org = ensure_can_bid(lot, user)
    if size <= 0:
        raise ValidationError(_("投标文件大小必须大于 0 字节。"), field="size")
    if size > lot.max_bid_bytes:
        raise ValidationError(
            _(
                "投标文件 %(s)s 字节，超过本标段上限 %(m)s 字节。",
                s=size,
                m=lot.max_bid_bytes,
            ),
            field="size",
        )
    client = client_info()
    ip, agent = client.ip, client.user_agent
    now = clock.now()
    upload = BidUpload(
        token=secrets.token_urlsafe(24),
        lot_id=lot.id,
        supplier_id=org.id,
        user_id=user.id,
        declared_size=size,
        received=0,
        status=UploadStatus.OPEN,
        ip=ip,
        user_agent=agent,
        device_fingerprint=(fingerprint or "")[:64],
        created_at=now,
        updated_at=now,
    )
    db.session.add(upload)
    db.session.flush()
    _upload_path(upload.token).touch()
    record(
        "bid.upload.started",
        upload,
        {"lot": lot.id, "supplier": org.id, "size": size, "ip": ip},
        actor=user,
    )
    return upload


def get_upload(token: str, user: User) -> BidUpload:
    upload = db.session.execute(
        select(BidUpload).where(BidUpload.token == token)
    ).scalar_one_or_none()
    if upload is None or upload.user_id != user.id:
        raise NotFound(_("上传会话不存在。"))
    return upload


def put_chunk(upload: BidUpload, user: User, offset: int, stream: IO[bytes]) -> BidUpload:
    """Append one chunk at `offset`; a chunk at a stale offset is answered with the right one."""
    if upload.user_id != user.id:
        raise NotFound(_("上传会话不存在。"))
    if upload.status != UploadStatus.OPEN:
        raise Conflict(_("该上传会话已结束，请重新开始上传。"))
    lot = db.session.get(Lot, upload.lot_id)
    assert lot is not None
    ensure_can_bid(lot, user, mid_upload=True)
    if offset != upload.received:
        raise Conflict(
            _(
                "分片偏移量 %(o)s 与服务器已接收的 %(r)s 字节不符，请从第 %(r)s 字节续传。",
                o=offset,
                r=upload.received,
            ),
            expected_offset=upload.received,
        )
    limit = min(upload.declared_size, lot.max_bid_bytes)
    path = _upload_path(upload.token)
    written = 0
    with open(path, "r+b") as out:
        # Bytes past `received` are leftovers of a chunk whose commit never happened.
        out.seek(offset)
        out.truncate(offset)
        first = offset == 0
        try:
            while block := stream.read(CHUNK):
                if offset + written + len(block) > limit:
                    raise ValidationError(
                        _(
                            "上传内容超过申报大小或本标段上限（%(m)s 字节），已在上限处停止。",
                            m=limit,
                        ),
                        field="chunk",
                    )
                if first:
                    _check_header(block, lot, upload)
                    first = False
                out.write(block)
                written += len(block)
        except BaseException:
            out.truncate(offset)
            raise
        # No fsync per chunk: a killed process loses nothing the page cache holds, and the
        # whole container is re-validated and fsynced at finish, so bytes lost to a power
        # failure surface as a refused finish (restart the upload), never as a bad bid.
        out.flush()
    if written == 0:
        raise ValidationError(_("分片内容为空。"), field="chunk")
    upload.received = offset + written
    upload.updated_at = clock.now()
    db.session.flush()
    return upload


def _check_header(first_block: bytes, lot: Lot, upload: BidUpload) -> None:
    """Refuse a foreign-lot, foreign-bidder or re-keyed container before taking its bytes."""
    import io

    if len(first_block) < 9:
        raise ValidationError(_("首个分片过短：须包含完整的密封文件头。"), field="chunk")
    header = sealing.inspect_header(io.BytesIO(first_block))
    org = db.session.get(Organisation, upload.supplier_id)
    assert org is not None
    if header.lot_id != lot.id or header.lot_code != lot.code:
        raise sealing.ContainerError("wrong_lot")
    if header.bidder_org_id not in (None, org.id) or header.bidder_credit_code != (
        org.credit_code or ""
    ):
        raise sealing.ContainerError("wrong_bidder")
    if header.opening_key_sha256 != opening_key(lot).fingerprint:
        raise sealing.ContainerError("wrong_key")


def finish_upload(upload: BidUpload, user: User) -> Bid:
    """Verify the whole container, store it atomically, record the bid and sign a receipt.

    The bid counts only if, once verified, it is recorded before the deadline by the
    server clock, with the lot row locked so that the deadline freeze cannot interleave.
    """
    if upload.user_id != user.id:
        raise NotFound(_("上传会话不存在。"))
    if upload.status != UploadStatus.OPEN:
        raise Conflict(_("该上传会话已结束。"))
    lot = db.session.get(Lot, upload.lot_id)
    assert lot is not None
    org = ensure_can_bid(lot, user)
    if upload.received != upload.declared_size:
        raise ValidationError(
            _(
                "文件尚未传完：已收到 %(r)s / %(s)s 字节，请续传剩余部分。",
                r=upload.received,
                s=upload.declared_size,
            )
        )
    key = opening_key(lot)
    path = _upload_path(upload.token)
    with open(path, "rb") as f:
        sha, size = sealing.validate_structure(
            f, lot.id, org.id, lot.max_bid_bytes, expected_key_sha256=key.fingerprint
        )
    _commit_file(path, sha)
    # Lock the lot: the deadline sweep takes the same lock before freezing.
    db.session.execute(select(Lot).where(Lot.id == lot.id).with_for_update())
    db.session.refresh(lot)
    now = clock.now()
    if lot.status != LotStatus.PUBLISHED or lot.bid_deadline is None or now >= lot.bid_deadline:
        raise TooLate(
            _(
                "投标截止时间（%(t)s 北京时间）已到，文件在截止前未完成提交，不予接收。",
                t=formatting.cst(lot.bid_deadline, formatting.SECOND),
            )
        )
    previous = db.session.execute(
        select(Bid).where(
            Bid.lot_id == lot.id, Bid.supplier_id == org.id, Bid.status == BidStatus.SUBMITTED
        )
    ).scalar_one_or_none()
    if previous is not None:
        previous.status = BidStatus.REPLACED
    version = (
        db.session.execute(
            select(func.max(Bid.version)).where(Bid.lot_id == lot.id, Bid.supplier_id == org.id)
        ).scalar()
        or 0
    ) + 1
    bid = Bid(
        lot_id=lot.id,
        supplier_id=org.id,
        version=version,
        status=BidStatus.SUBMITTED,
        ciphertext_sha256=sha,
        size=size,
        received_at=now,
        submitted_by_id=user.id,
        ip=upload.ip,
        user_agent=upload.user_agent,
        device_fingerprint=upload.device_fingerprint,
    )
    db.session.add(bid)
    db.session.flush()
    entry = record(
        "bid.submitted",
        bid,
        {
            "lot": lot.id,
            "supplier": org.id,
            "version": version,
            "sha256": sha,
            "size": size,
            "replaces": previous.id if previous else None,
        },
        actor=user,
    )
    bid.audit_seq = entry.seq
    bid.receipt = build_receipt(bid, lot, org, entry)
    upload.status, upload.bid_id, upload.updated_at = UploadStatus.FINISHED, bid.id, now
    db.session.flush()
    notify(
        user,
        "bid_receipt",
        _("投标文件已接收：%(c)s 第 %(v)s 版", c=lot.code, v=version),
        _(
            "密文 SHA-256：%(h)s，服务器时间 %(t)s。",
            h=sha,
            t=formatting.cst(now, formatting.SECOND),
        ),
        email=False,
    )
    return bid


def _commit_file(path: Path, sha: str) -> None:
    """Put the verified upload into the content-addressed store (fsync, link, fsync dir).

    The upload's own file stays until the bid's transaction has committed: if the process
    dies in between, the session is still open and its finish can simply be sent again.
    """
    from app.core.realtime import after_commit

    store = get_store()
    final = store.path_for(sha)
    with open(path, "rb") as f:
        os.fsync(f.fileno())
    final.parent.mkdir(parents=True, exist_ok=True)
    if not final.exists():
        tmp = final.with_name(f".{final.name}.{secrets.token_hex(6)}.tmp")
        try:
            os.link(path, tmp)
        except OSError:  # another file system, or no hard links: copy instead
            import shutil

            shutil.copyfile(path, tmp)
            with open(tmp, "rb") as f:
                os.fsync(f.fileno())
        os.replace(tmp, final)
    fd = os.open(final.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    after_commit(lambda: path.unlink(missing_ok=True))


def build_receipt(bid: Bid, lot: Lot, org: Organisation, entry: AuditEntry) -> dict[str, Any]:
    inclusion = audit.proof(entry)
    body = {
        "type": "tenderhall.bid-receipt",
        "version": 1,
        "lot": {"id": lot.id, "code": lot.code, "name": lot.name},
        "company": {"id": org.id, "name": org.name, "credit_code": org.credit_code or ""},
        "bid": {"id": bid.id, "version": bid.version},
        "ciphertext_sha256": bid.ciphertext_sha256,
        "size": bid.size,
        "server_time": bid.received_at.isoformat(),
        "audit": {
            "seq": entry.seq,
            "entry_hash": entry.entry_hash,
            "tree_size": inclusion.tree_size,
            "leaf_index": inclusion.leaf_index,
            "root": inclusion.root.hex(),
            "inclusion_proof": [p.hex() for p in inclusion.proof],
        },
    }
    return sealing.sign_receipt(body)


def withdraw_bid(lot: Lot, user: User) -> Bid:
    org = ensure_can_bid(lot, user)
    bid = db.session.execute(
        select(Bid).where(
            Bid.lot_id == lot.id, Bid.supplier_id == org.id, Bid.status == BidStatus.SUBMITTED
        )
    ).scalar_one_or_none()
    if bid is None:
        raise NotFound(_("贵单位在本标段没有可撤回的投标文件。"))
    bid.status, bid.withdrawn_at = BidStatus.WITHDRAWN, clock.now()
    db.session.flush()
    record("bid.withdrawn", bid, {"lot": lot.id, "version": bid.version}, actor=user)
    return bid


def my_bids(lot: Lot, org: Organisation) -> list[Bid]:
    return list(
        db.session.execute(
            select(Bid)
            .where(Bid.lot_id == lot.id, Bid.supplier_id == org.id)
            .order_by(Bid.version.desc())
        ).scalars()
    )


def current_bid(lot: Lot, org: Organisation) -> Bid | None:
    for bid in my_bids(lot, org):
        if bid.status not in (BidStatus.REPLACED, BidStatus.WITHDRAWN):
            return bid
    return None


# ---------------------------------------------------------------- deadline freeze


def freeze_entries(lot: Lot) -> list[dict[str, Any]]:
    bids = db.session.execute(
        select(Bid)
        .where(Bid.lot_id == lot.id, Bid.status == BidStatus.SUBMITTED)
        .order_by(Bid.supplier_id)
    ).scalars()
    return [
        {
            "bid_id": b.id,
            "supplier_id": b.supplier_id,
            "supplier": b.supplier.name,
            "version": b.version,
            "sha256": b.ciphertext_sha256,
            "size": b.size,
            "received_at": b.received_at.isoformat(),
        }
        for b in bids
    ]


def get_freeze(lot: Lot) -> LotFreeze | None:
    return db.session.execute(
        select(LotFreeze).where(LotFreeze.lot_id == lot.id)
    ).scalar_one_or_none()


def close_lot(lot: Lot) -> LotFreeze | None:
    """At the deadline: freeze the list of current bid hashes; < minimum bids → 流标.

    Idempotent: a lot already frozen returns its freeze; a lot before its deadline or not
    in the bid period returns None.
    """
    db.session.execute(select(Lot).where(Lot.id == lot.id).with_for_update())
    db.session.refresh(lot)
    existing = get_freeze(lot)
    if existing is not None:
        return existing
    if lot.status != LotStatus.PUBLISHED or not deadline_passed(lot):
        return None
    entries = freeze_entries(lot)
    list_hash = hashlib.sha256(canonical_json(entries).encode()).hexdigest()
    minimum = int(cfg("MIN_BIDS_TO_OPEN"))
    failed = len(entries) < minimum
    lot.status = LotStatus.FAILED if failed else LotStatus.CLOSED
    if failed:
        lot.status_reason = _(
            "投标截止时递交投标文件的投标人不足 %(m)s 家（实际 %(n)s 家），依法不予开标，本标段流标。",
            m=minimum,
            n=len(entries),
        )
    freeze = LotFreeze(
        lot_id=lot.id,
        frozen_at=clock.now(),
        entries=entries,
        list_hash=list_hash,
        bid_count=len(entries),
        failed=failed,
        audit_seq=0,
    )
    db.session.add(freeze)
    for upload in db.session.execute(
        select(BidUpload).where(BidUpload.lot_id == lot.id, BidUpload.status == UploadStatus.OPEN)
    ).scalars():
        upload.status, upload.error = UploadStatus.FAILED, "deadline"
        _upload_path(upload.token).unlink(missing_ok=True)
    db.session.flush()
    entry = record(
        "lot.bids_frozen",
        lot,
        {
            "list_hash": list_hash,
            "count": len(entries),
            "failed": failed,
            "reason": lot.status_reason if failed else "",
            "bids": [[e["bid_id"], e["supplier_id"], e["sha256"]] for e in entries],
        },
        actor=None,
    )
    freeze.audit_seq = entry.seq
    db.session.flush()
    _announce_freeze(lot, freeze)
    return freeze


def _announce_freeze(lot: Lot, freeze: LotFreeze) -> None:
    from app.core.realtime import emit

    title = (
        _("%(c)s 投标截止：投标人不足，流标", c=lot.code)
        if freeze.failed
        else _("%(c)s 投标截止：已冻结 %(n)s 份投标文件哈希", c=lot.code, n=freeze.bid_count)
    )
    body = _("哈希清单摘要 %(h)s", h=freeze.list_hash)
    users: dict[int, User] = {}
    for e in freeze.entries:
        for u in db.session.execute(
            select(User).where(User.organisation_id == e["supplier_id"], User.role == Role.SUPPLIER)
        ).scalars():
            users[u.id] = u
    for u in db.session.execute(
        select(User).where(User.centre_id == lot.project.centre_id, User.role == Role.SUPERVISOR)
    ).scalars():
        users[u.id] = u
    link = f"/bids/lots/{lot.id}/freeze"
    for u in users.values():
        notify(u, "bid_freeze", title, body, link, email=False)
    emit(
        HALL.name(lot.id),
        "frozen",
        {"list_hash": freeze.list_hash, "count": freeze.bid_count, "failed": freeze.failed},
    )


def sweep_deadlines() -> int:
    """Scheduler job: close every published lot whose deadline has passed. Safe to re-run."""
    due = db.session.execute(
        select(Lot).where(Lot.status == LotStatus.PUBLISHED, Lot.bid_deadline <= clock.now())
    ).scalars()
    count = 0
    for lot in list(due):
        if close_lot(lot) is not None:
            count += 1
    return count


def retender(lot: Lot, actor: User) -> Lot:
    """Copy a failed lot into a new draft lot of the same project (重新招标)."""
    ensure_manages_lot(actor, lot)
    freeze = get_freeze(lot)
    if lot.status != LotStatus.FAILED or freeze is None:
        raise Conflict(_("只有流标的标段可以重新招标。"))
    if freeze.retendered_lot_id is not None:
        raise Conflict(_("该标段已发起重新招标。"))
    seq = (
        db.session.execute(
            select(func.max(Lot.seq)).where(Lot.project_id == lot.project_id)
        ).scalar()
        or 0
    ) + 1
    rounds = (
        db.session.execute(
            select(func.count()).select_from(Lot).where(Lot.code.like(f"{lot.code}-R%"))
        ).scalar_one()
        + 1
    )
    copy = Lot(
        project_id=lot.project_id,
        seq=seq,
        code=f"{lot.code}-R{rounds}"[:50],
        name=lot.name if "重新招标" in lot.name else f"{lot.name}（重新招标）"[:200],
        category_code=lot.category_code,
        budget=lot.budget,
        ceiling_price=lot.ceiling_price,
        bid_bond=lot.bid_bond,
        evaluation_method=lot.evaluation_method,
        committee_size=lot.committee_size,
        validity_days=lot.validity_days,
        status=LotStatus.DRAFT,
        opening_place=lot.opening_place,
        price_form_fields=list(lot.price_form_fields or []),
        max_bid_bytes=lot.max_bid_bytes,
        status_reason="",
    )
    db.session.add(copy)
    db.session.flush()
    freeze.retendered_lot_id = copy.id
    record("lot.retendered", lot, {"new_lot": copy.id, "code": copy.code}, actor=actor)
    return copy


def custodians(lot: Lot) -> list[LotCustodian]:
    return list(
        db.session.execute(
            select(LotCustodian)
            .where(LotCustodian.lot_id == lot.id)
            .order_by(LotCustodian.share_index)
        ).scalars()
    )


# ---------------------------------------------------------------- lists for the staff pages


def custodian_candidates(lot: Lot) -> list[User]:
    """Who may hold a share: active staff of the lot's agency, supervisors and officers of
    its centre (the ceremony service checks the role again)."""
    from sqlalchemy import or_

    project = lot.project
    rows = db.session.execute(
        select(User)
        .where(
            User.role.in_((Role.STAFF, Role.SUPERVISOR, Role.ADMIN)),
            User.is_active_flag.is_(True),
            or_(User.organisation_id == project.agency_id, User.centre_id == project.centre_id),
        )
        .order_by(User.role, User.display_name)
    ).scalars()
    return list(rows)


def bonds_of(lot: Lot) -> list[BidBond]:
    return list(
        db.session.execute(
            select(BidBond).where(BidBond.lot_id == lot.id).order_by(BidBond.recorded_at.desc())
        ).scalars()
    )


def bond_of(lot: Lot, org: Organisation) -> BidBond | None:
    return db.session.execute(
        select(BidBond).where(BidBond.lot_id == lot.id, BidBond.supplier_id == org.id)
    ).scalar_one_or_none()


def bond_candidates(lot: Lot) -> list[Organisation]:
    """Suppliers a bond may be recorded for: those who downloaded the tender documents."""
    try:
        from bidding.documents.models import DocumentDownload
    except ImportError:
        return []
    ids = select(DocumentDownload.supplier_id).where(DocumentDownload.lot_id == lot.id)
    return list(
        db.session.execute(
            select(Organisation).where(Organisation.id.in_(ids)).order_by(Organisation.name)
        ).scalars()
    )
