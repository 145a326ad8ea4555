"""A published lot with an opening key, three eligible suppliers and helpers to seal and upload."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from app.core import clock
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.crypto import seal_stream
from app.core.extensions import db
from bidding.bids.custody import opening_key
from bidding.models import EvalMethod, Lot, LotStatus, Method, Project
from tests.browser.conftest import browser, live_server, shot  # noqa: F401  (chromium fixtures)
from tests.factories import make_centre, make_org, make_user, token_headers

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # 09:00 Beijing time
DEADLINE = T0 + dt.timedelta(days=20)
PASSPHRASES = ("custodian-one-pass", "custodian-two-pass", "custodian-three-pass")


@dataclass
class World:
    lot: Lot
    staff: User
    supervisor: User
    admin: User
    custodians: list[User]
    suppliers: list[User]
    orgs: list[Organisation]
    extra: dict[str, Any] = field(default_factory=dict)

    def headers(self, user: User) -> dict[str, str]:
        return token_headers(user)


@pytest.fixture
def fast_scrypt(app: Any) -> Iterator[None]:
    previous = app.config.get("CUSTODY_SCRYPT_N")
    app.config["CUSTODY_SCRYPT_N"] = 1024
    yield
    app.config["CUSTODY_SCRYPT_N"] = previous


def _downloaded(lot: Lot, org: Organisation, user: User, staff: User) -> None:
    from bidding.documents.models import DocumentDownload, TenderDocument

    doc = db.session.query(TenderDocument).filter_by(lot_id=lot.id).first()
    if doc is None:
        doc = TenderDocument(
            lot_id=lot.id,
            version=1,
            filename="招标文件.pdf",
            sha256="0" * 64,
            size=1,
            uploaded_by_id=staff.id,
            uploaded_at=clock.now(),
        )
        db.session.add(doc)
        db.session.flush()
    db.session.add(
        DocumentDownload(
            lot_id=lot.id, document_id=doc.id, supplier_id=org.id, user_id=user.id, at=clock.now()
        )
    )
    db.session.flush()


def make_supplier(lot: Lot, staff: User, *, bond: bool = True, download: bool = True) -> User:
    org = make_org(OrgKind.SUPPLIER)
    user = make_user(Role.SUPPLIER, organisation=org)
    if download:
        _downloaded(lot, org, user, staff)
    if bond:
        pay_bond(lot, user)
    return user


def centre_officer(lot: Lot) -> User:
    """Staff of the lot's centre (its bond account desk), made once per centre."""
    from sqlalchemy import select

    found = (
        db.session.execute(
            select(User)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(
                User.role == Role.STAFF,
                Organisation.kind == OrgKind.CENTRE,
                User.centre_id == lot.project.centre_id,
            )
            .order_by(User.id)
        )
        .scalars()
        .first()
    )
    if found is not None:
        return found
    centre = lot.project.centre
    return make_user(
        Role.STAFF, organisation=make_org(OrgKind.CENTRE, centre=centre), centre=centre
    )


def statement_csv(*rows: tuple[str, str, str, str, str, str]) -> bytes:
    lines = ["交易流水号,虚拟子账号,金额,付款账号,付款户名,交易时间"]
    lines += [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def pay_bond(lot: Lot, user: User, *, payer_account: str | None = None, amount: Any = None) -> Any:
    """The supplier asks for its sub-account and pays; the statement row is matched to it."""
    from app.core import formatting
    from bidding.bids import bank, bonds

    sub = bonds.issue_sub_account(lot, user)
    org = user.organisation
    assert org is not None
    data = statement_csv(
        (
            f"BANK{org.id}-{lot.id}",
            sub.number,
            str(amount if amount is not None else lot.bid_bond),
            payer_account or f"6222{org.id:012d}",
            org.name,
            formatting.cst(clock.now(), formatting.SECOND),
        )
    )
    return bank.import_statement(lot.project.centre, centre_officer(lot), "s.csv", data)


_KEY_CACHE: dict[str, Any] = {}


def _install_opening_key(lot: Lot, custodians: list[User]) -> None:
    """The ceremony's result, with one RSA-3072 key made per test session (generation is slow).

    `test_key_ceremony_*` runs the real ceremony service.
    """
    from app.core.crypto import make_opening_key
    from bidding.bids.models import LotCustodian, LotOpeningKey

    if "key" not in _KEY_CACHE:
        _KEY_CACHE["key"] = make_opening_key(list(PASSPHRASES), 2, scrypt_n=1024)
    made = _KEY_CACHE["key"]
    db.session.add(
        LotOpeningKey(
            lot_id=lot.id,
            public_pem=made.public_pem,
            fingerprint=made.key_sha256,
            wrapped_private=made.encrypted_private,
            k=2,
            n=3,
            created_at=clock.now(),
        )
    )
    for i, (user, sealed) in enumerate(zip(custodians, made.sealed_shares, strict=True)):
        db.session.add(
            LotCustodian(lot_id=lot.id, user_id=user.id, share_index=i + 1, sealed_share=sealed)
        )
    db.session.flush()


@pytest.fixture
def world(app: Any, fast_scrypt: None) -> World:
    clock.set_now(T0)
    centre = make_centre()
    agency = make_org(OrgKind.AGENCY, centre=centre)
    purchaser = make_org(OrgKind.PURCHASER, centre=centre)
    staff = make_user(Role.STAFF, organisation=agency, centre=centre)
    supervisor = make_user(Role.SUPERVISOR, centre=centre)
    admin = make_user(Role.ADMIN)
    officer = make_user(
        Role.STAFF, organisation=make_org(OrgKind.CENTRE, centre=centre), centre=centre
    )
    project = Project(
        code="TH-2026-001",
        trade_id="TRADE-2026-001",
        name="市第一中学教学楼改造工程",
        centre_id=centre.id,
        purchaser_id=purchaser.id,
        agency_id=agency.id,
        method=Method.OPEN,
        category_code="A08",
        created_by_id=staff.id,
        created_at=clock.now(),
    )
    db.session.add(project)
    db.session.flush()
    lot = Lot(
        project_id=project.id,
        seq=1,
        code="TH-2026-001-01",
        name="施工一标段",
        category_code="A08",
        budget=Decimal("5000000.00"),
        ceiling_price=Decimal("4800000.00"),
        bid_bond=Decimal("50000.00"),
        evaluation_method=EvalMethod.LOWEST_PRICE,
        status=LotStatus.PUBLISHED,
        bid_deadline=DEADLINE,
        opening_place="开标大厅一号厅",
        max_bid_bytes=2 * 1024 * 1024,
    )
    db.session.add(lot)
    db.session.flush()
    custodians = [staff, supervisor, officer]
    _install_opening_key(lot, custodians)
    suppliers = [make_supplier(lot, staff) for _ in range(3)]
    db.session.commit()
    return World(
        lot=lot,
        staff=staff,
        supervisor=supervisor,
        admin=admin,
        custodians=custodians,
        suppliers=suppliers,
        orgs=[u.organisation for u in suppliers],  # type: ignore[misc]
    )


def seal(
    lot: Lot,
    org: Organisation,
    *,
    price: str = "4500000.00",
    body: bytes = b"%PDF-1.4 /Author (Zhang San) technical bid",
    lot_id: int | None = None,
    lot_code: str | None = None,
    chunk_size: int = 4096,
) -> bytes:
    key = opening_key(lot)
    out = io.BytesIO()
    seal_stream(
        key.public_pem,
        {
            "lot_id": lot_id or lot.id,
            "lot_code": lot_code or lot.code,
            "bidder_org_id": org.id,
            "bidder_credit_code": org.credit_code,
            "chunk_size": chunk_size,
        },
        {"price_form": {"total_price": price, "duration_days": 180, "quality": "合格"}},
        [("技术标.pdf", io.BytesIO(body), "application/pdf")],
        out,
    )
    return out.getvalue()


def upload(client: Any, headers: dict[str, str], lot: Lot, data: bytes, chunk: int = 5000) -> Any:
    """Start, send every chunk and finish; returns the last response."""
    resp = client.post(f"/api/v1/lots/{lot.id}/uploads", json={"size": len(data)}, headers=headers)
    if resp.status_code != 201:
        return resp
    token = resp.get_json()["token"]
    for offset in range(0, len(data), chunk):
        resp = client.put(
            f"/api/v1/uploads/{token}?offset={offset}",
            data=data[offset : offset + chunk],
            headers={**headers, "Content-Type": "application/octet-stream"},
        )
        if resp.status_code != 200:
            return resp
    return client.post(f"/api/v1/uploads/{token}/finish", headers=headers)
