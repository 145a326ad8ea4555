"""Applications (资格预审申请文件): one per supplier, stored in the content-addressed
store (atomic, hashed while written), answered with a receipt signed by the platform.

A late or second application, or one by a supplier barred from taking part, is refused
(4xx), nothing of it is kept, and the attempt is audited once the refusal is answered.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from app.core import clock, formatting
from app.core.audit import record
from app.core.auth.models import Organisation, Role, User
from app.core.crypto import sign_receipt
from app.core.errors import Conflict, Forbidden, TooLate
from app.core.extensions import db
from app.core.storage import get_store
from bidding.documents.files import StagedFile
from bidding.participation import ensure_not_barred
from bidding.prequal import actions
from bidding.prequal.models import PrequalApplication, Prequalification, PrequalStatus

RECEIPT_FORMAT = "tenderhall.prequal-receipt/1"


def applications(prequal: Prequalification) -> list[PrequalApplication]:
    return list(
        db.session.execute(
            select(PrequalApplication)
            .where(PrequalApplication.prequal_id == prequal.id)
            .order_by(PrequalApplication.id)
        ).scalars()
    )


def application_of(prequal: Prequalification, org_id: int) -> PrequalApplication | None:
    return db.session.execute(
        select(PrequalApplication).where(
            PrequalApplication.prequal_id == prequal.id,
            PrequalApplication.supplier_id == org_id,
        )
    ).scalar_one_or_none()


def _refused(exc: Any, prequal: Prequalification, org_id: int | None) -> Any:
    return exc.audited(
        actions.APPLY_REFUSED,
        prequal,
        {"lot_id": prequal.lot_id, "supplier_id": org_id},
    )


def ensure_may_apply(user: User, prequal: Prequalification) -> Organisation:
    """The refusals an application meets before any byte is read (each one audited)."""
    if user.role != Role.SUPPLIER or user.organisation_id is None:
        raise Forbidden(_("只有供应商账户可以提交资格预审申请。"))
    org = db.session.get(Organisation, user.organisation_id)
    assert org is not None
    now = clock.now()
    if prequal.status == PrequalStatus.WITHDRAWN:
        raise _refused(Conflict(_("本次资格预审已终止，不再接收申请文件。")), prequal, org.id)
    if prequal.status != PrequalStatus.OPEN or now >= prequal.application_deadline:
        raise _refused(
            TooLate(
                _(
                    "资格预审申请已于 %(d)s 截止，不再接收申请文件。",
                    d=formatting.cst(prequal.application_deadline, formatting.CHINESE_MINUTE),
                )
            ),
            prequal,
            org.id,
        )
    if now < prequal.offer_start_at:
        raise _refused(Conflict(_("资格预审文件尚未开始发售，暂不能提交申请。")), prequal, org.id)
    if application_of(prequal, org.id) is not None:
        raise _refused(
            Conflict(_("贵单位已提交过资格预审申请，申请文件不能重复提交或替换。")),
            prequal,
            org.id,
        )
    ensure_not_barred(org, activity="prequal", lot_id=prequal.lot_id)
    return org


def apply(user: User, prequal: Prequalification, staged: StagedFile) -> PrequalApplication:
    """Keep one application: the file is already in the store (hashed while written); the
    row, its receipt and the audit entry go in one transaction."""
    org = ensure_may_apply(user, prequal)
    if not get_store().verify(staged.sha256):
        raise Conflict(_("申请文件保存后校验失败，请重新上传。"))
    now = clock.now()
    row = PrequalApplication(
        prequal_id=prequal.id,
        supplier_id=org.id,
        file_sha256=staged.sha256,
        file_name=staged.filename,
        size=staged.size,
        submitted_by_id=user.id,
        submitted_at=now,
        receipt={},
    )
    db.session.add(row)
    db.session.flush()
    entry = record(
        actions.APPLIED,
        row,
        {
            "lot_id": prequal.lot_id,
            "supplier_id": org.id,
            "sha256": staged.sha256,
            "size": staged.size,
        },
        actor=user,
    )
    row.receipt = sign_receipt(
        {
            "format": RECEIPT_FORMAT,
            "lot": prequal.lot.code,
            "lot_id": prequal.lot_id,
            "prequalification": prequal.id,
            "supplier": org.name,
            "supplier_id": org.id,
            "file_name": staged.filename,
            "sha256": staged.sha256,
            "size": staged.size,
            "received_at": now.isoformat(),
            "audit_seq": entry.seq,
        }
    )
    return row
