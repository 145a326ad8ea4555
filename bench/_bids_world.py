"""Shared set-up of the sealed-bid benchmarks: a lot in its bid period, N eligible suppliers
with API tokens, an opening key (2 of 3), and sealed containers made beforehand."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from _world import parties, project_lot  # noqa: E402  (bench/ is the script's own folder)

PASSPHRASES = ("bench-custodian-one", "bench-custodian-two", "bench-custodian-three")
MB = 1024 * 1024


def overrides(instance: Path, database_url: str | None = None) -> dict[str, Any]:
    return {
        "DATABASE_URL": database_url or f"sqlite:///{instance / 'bench.db'}",
        "INSTANCE_PATH": str(instance),
        "REDIS_URL": None,
        "CUSTODY_SCRYPT_N": 1024,
    }


@dataclass
class Bidder:
    org_id: int
    credit_code: str
    user_id: int
    token: str


@dataclass
class World:
    lot_id: int
    lot_code: str
    public_pem: str
    deadline: dt.datetime
    bidders: list[Bidder]
    staff_id: int
    custodian_ids: list[int]


def build(app: Any, n: int, max_bid_bytes: int, deadline: dt.datetime) -> World:
    """Everything a bid needs, inserted directly (the benchmarks measure bids, not set-up)."""
    from app.core import clock
    from app.core.auth.models import OrgKind, Role
    from app.core.auth.services import issue_token
    from app.core.crypto import make_opening_key
    from app.core.extensions import db
    from bidding.bids.models import LotCustodian, LotOpeningKey
    from bidding.documents.models import DocumentDownload, TenderDocument
    from bidding.models import EvalMethod, LotStatus

    os.environ.setdefault("TENDERHALL_ENV", "development")
    now = clock.now()
    with app.app_context():
        db.create_all()
        p = parties(now)
        staff = p.user(Role.STAFF, "bench-staff", p.agency)
        custodians = [
            staff,
            p.user(Role.SUPERVISOR, "bench-sup", None),
            p.user(Role.STAFF, "bench-officer", p.agency),
        ]
        db.session.flush()
        org, user = p.org, p.user
        lot = project_lot(
            p,
            staff,
            budget=Decimal("5000000.00"),
            bid_bond=Decimal("0"),
            evaluation_method=EvalMethod.LOWEST_PRICE,
            status=LotStatus.PUBLISHED,
            bid_deadline=deadline,
            opening_place="一号厅",
            max_bid_bytes=max_bid_bytes,
        )
        made = make_opening_key(list(PASSPHRASES), 2, scrypt_n=1024)
        db.session.add(
            LotOpeningKey(
                lot_id=lot.id,
                public_pem=made.public_pem,
                fingerprint=made.key_sha256,
                wrapped_private=made.encrypted_private,
                k=2,
                n=3,
                created_at=now,
            )
        )
        for i, (c, sealed) in enumerate(zip(custodians, made.sealed_shares, strict=True)):
            db.session.add(
                LotCustodian(lot_id=lot.id, user_id=c.id, share_index=i + 1, sealed_share=sealed)
            )
        doc = TenderDocument(
            lot_id=lot.id,
            version=1,
            filename="招标文件.pdf",
            sha256="0" * 64,
            size=1,
            uploaded_by_id=staff.id,
            uploaded_at=now,
        )
        db.session.add(doc)
        db.session.flush()
        bidders = []
        for i in range(n):
            o = org(OrgKind.SUPPLIER, 1000 + i)
            db.session.flush()
            u = user(Role.SUPPLIER, f"bench-supplier-{i}", o)
            db.session.flush()
            db.session.add(
                DocumentDownload(
                    lot_id=lot.id, document_id=doc.id, supplier_id=o.id, user_id=u.id, at=now
                )
            )
            _t, raw = issue_token(u, "bench")
            bidders.append(Bidder(o.id, o.credit_code or "", u.id, raw))
        db.session.commit()
        return World(
            lot.id,
            lot.code,
            made.public_pem,
            deadline,
            bidders,
            staff.id,
            [c.id for c in custodians],
        )


class PatternReader:
    """`size` bytes of incompressible-looking data without holding them in memory."""

    def __init__(self, size: int, seed: int) -> None:
        self.size, self.pos = size, 0
        self.block = os.urandom(MB - 7) + seed.to_bytes(7, "big")

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.pos
        n = left if n < 0 else min(n, left)
        out = bytearray()
        while len(out) < n:
            start = (self.pos + len(out)) % len(self.block)
            out += self.block[start : start + n - len(out)]
        self.pos += n
        return bytes(out)

    def seek(self, pos: int, whence: int = 0) -> int:
        self.pos = pos if whence == 0 else (self.size + pos if whence == 2 else self.pos + pos)
        return self.pos

    def tell(self) -> int:
        return self.pos

    def seekable(self) -> bool:
        return True


def seal_bid(world: World, bidder: Bidder, size: int, out_path: Path, price: str) -> None:
    from app.core.crypto import seal_stream

    with open(out_path, "wb") as out:
        seal_stream(
            world.public_pem,
            {
                "lot_id": world.lot_id,
                "lot_code": world.lot_code,
                "bidder_org_id": bidder.org_id,
                "bidder_credit_code": bidder.credit_code,
                "chunk_size": MB,
            },
            {"price_form": {"total_price": price, "duration_days": 180, "quality": "合格"}},
            [("技术标.pdf", PatternReader(size, bidder.org_id), "application/pdf")],
            out,
        )


def _seal(args: tuple[World, Bidder, int, Path, str]) -> None:
    seal_bid(*args)


def seal_all(world: World, size: int, out_dir: Path) -> list[Path]:
    """Seal one bid per bidder into out_dir, in parallel processes; distinct prices."""
    import concurrent.futures as cf

    out_dir.mkdir()
    paths = [out_dir / f"bid-{i}.thsb" for i in range(len(world.bidders))]
    jobs = [
        (world, b, size, p, f"{4000000 + i}.00")
        for i, (b, p) in enumerate(zip(world.bidders, paths, strict=True))
    ]
    with cf.ProcessPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(_seal, jobs))
    return paths
