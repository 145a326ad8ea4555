"""Opening keys, bid bonds and sealed bids, and the stages that take bids."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from typing import Any

from flask import current_app

from app.core import clock, formatting
from app.core.auth.models import User
from app.demo.accounts import CUSTODY_PASSPHRASES
from app.demo.context import World
from app.demo.documents import clarify, ensure_downloaded, pdf


def opening_key(world: World, lot: Any, key: str) -> None:
    """The lot's opening key, shared 2-of-3 among the centre's demo custodians."""
    from bidding.bids import custody

    names = [f"{key}_staff", f"{key}_super", f"{key}_centre"]
    custodians = [(world.users[u], CUSTODY_PASSPHRASES[u]) for u in names]
    custody.create_opening_key(lot, custodians, 2, world.staff[key])


def bond(lot: Any, staff: User, user: User, n: int) -> None:
    """The supplier asks for its sub-account and pays in; the bank's statement row, imported by
    the centre's staff, is matched to it (the agency `staff` plays no part)."""
    from sqlalchemy import select

    from app.core.auth.models import Organisation, OrgKind, Role
    from app.core.extensions import db
    from bidding.bids import bank, bonds

    sub = bonds.issue_sub_account(lot, user)
    officer = db.session.execute(
        select(User)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(
            User.role == Role.STAFF,
            Organisation.kind == OrgKind.CENTRE,
            User.centre_id == lot.project.centre_id,
        )
        .order_by(User.id)
    ).scalar_one()
    org = user.organisation
    assert org is not None
    paid = formatting.cst(clock.now(), formatting.SECOND)
    row = (
        f"BOND{formatting.cst(clock.now(), '%Y%m%d')}{lot.id:04d}{n:03d},{sub.number},"
        f"{lot.bid_bond},6222 0206 0200 {1000 + user.id:04d},{org.name},{paid}"
    )
    statement = "交易流水号,虚拟子账号,金额,付款账号,付款户名,交易时间\n" + row + "\n"
    bank.import_statement(lot.project.centre, officer, "statement.csv", statement.encode())


def office_of(org: Any) -> tuple[str, str]:
    """(IP address, device fingerprint) a bidder's own office uploads from."""
    n = int(org.id)
    ip = f"10.{20 + n // 250 % 200}.{n % 250}.{(n * 37) % 240 + 10}"
    return ip, hashlib.sha256(f"demo-device-{n}".encode()).hexdigest()


def sealed_bid(
    lot: Any, user: User, price: Decimal, days: int, office: tuple[str, str] | None = None
) -> None:
    """Seal a bid in the browser's format and upload it as the bidder would, from its
    own office (`office`: from someone else's, as colluding bidders do)."""
    from app.core.crypto import seal_stream
    from bidding.bids import custody, uploads

    org = user.organisation
    assert org is not None
    key = custody.opening_key(lot)
    ip, device = office or office_of(org)
    document = pdf(
        f"{lot.name} 投标文件",
        [
            f"投标人：{org.name}（统一社会信用代码 {org.credit_code}）",
            f"项目编号：{lot.project.code}　标段：{lot.code}",
            f"投标总价：{formatting.yuan(price)}；工期 / 服务期：{days} 日；质量：合格。",
            "我方承诺完全响应招标文件的全部要求，投标有效期 90 日。",
        ],
        # The office computer's account names the author, as word processors do.
        author=f"office-{device[:8]}",
    )
    out = io.BytesIO()
    seal_stream(
        key.public_pem,
        {
            "lot_id": lot.id,
            "lot_code": lot.code,
            "bidder_org_id": org.id,
            "bidder_credit_code": org.credit_code or "",
        },
        {
            "price_form": {
                "total_price": f"{price:.2f}",
                "duration_days": days,
                "quality": "合格",
            }
        },
        [("投标文件.pdf", io.BytesIO(document), "application/pdf")],
        out,
    )
    data = out.getvalue()
    with current_app.test_request_context(
        "/", environ_base={"REMOTE_ADDR": ip}, headers={"User-Agent": "Mozilla/5.0 (demo)"}
    ):
        upload = uploads.start_upload(lot, user, size=len(data), fingerprint=device)
        uploads.put_chunk(upload, user, 0, io.BytesIO(data))
        uploads.finish_upload(upload, user)


def priced(lot: Any, factor: Decimal) -> Decimal:
    """A share of the lot's ceiling price in whole yuan."""
    return (lot.ceiling_price * factor).quantize(Decimal("100"))


# Honest prices fall with each bidder, by uneven steps (even steps are a collusion signal).
BID_FACTORS = (Decimal("0.97"), Decimal("0.938"), Decimal("0.911"), Decimal("0.864"))
# Colluding bidders: the first price, then equal steps of 3 % of the ceiling.
ARRANGED_FACTORS = (Decimal("0.96"),)


def bid_factor(j: int) -> Decimal:
    return BID_FACTORS[j] if j < len(BID_FACTORS) else BID_FACTORS[-1] - Decimal("0.041") * (j - 3)


def bid_round(
    world: World, lot: Any, staff: User, bidders: list[User], *, collusive: bool = False
) -> None:
    """Bonds six days before the deadline, then one sealed bid each, cheaper in turn.
    `collusive`: the first two bid from the first one's office, every price in arithmetic
    progression (the demo's case for supervision)."""
    deadline = lot.bid_deadline
    for j, user in enumerate(bidders):
        world.at(deadline - dt.timedelta(days=6, hours=-j))
        bond(lot, staff, user, j + 1)
    shared = office_of(bidders[0].organisation) if collusive else None
    for j, user in enumerate(bidders):
        world.at(deadline - dt.timedelta(days=2, hours=3 * j))
        office = shared if collusive and j < 2 else None
        price = (
            priced(lot, ARRANGED_FACTORS[0]) - priced(lot, Decimal("0.03")) * j
            if collusive
            else priced(lot, bid_factor(j))
        )
        sealed_bid(lot, user, price, 90, office)


def stage_open(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """Bidding is open: supplier01 has its bond and an answer; a rival has already bid."""
    from bidding.documents.questions import answer_question, ask_question

    supplier01 = world.supplier(1)
    world.at(lot.doc_start_at + dt.timedelta(hours=3))
    ensure_downloaded(lot, supplier01)
    world.at(lot.doc_start_at + dt.timedelta(days=2))
    bond(lot, staff, supplier01, 1)
    q = ask_question(
        lot, supplier01, "前端摄像机是否要求支持 H.265 编码？存储时长按 30 天还是 90 天计算？"
    )
    world.at(lot.doc_start_at + dt.timedelta(days=2, hours=5))
    answer_question(
        q, staff, "须支持 H.265/H.264 双编码；录像存储时长按不少于 90 天配置，详见清单。"
    )
    rival = world.supplier(7)
    ensure_downloaded(lot, rival)
    bond(lot, staff, rival, 2)
    world.at(world.real_now - dt.timedelta(hours=20))
    sealed_bid(lot, rival, priced(lot, Decimal("0.95")), 60)


def stage_closed(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """The deadline has just passed: four bids (one revised) are frozen for the opening."""
    from bidding.bids import freeze

    world.at(lot.doc_start_at + dt.timedelta(days=2))
    clarify(world, lot, staff, "cleaners")
    world.at(lot.doc_start_at + dt.timedelta(days=3))
    # The guide names these four bidders for the opening hall's sign-in.
    bidders = [world.supplier(8), world.supplier(10), world.supplier(3), world.supplier(18)]
    for user in bidders:
        ensure_downloaded(lot, user)
    bid_round(world, lot, staff, bidders)
    # 宏远物业 revises its price the evening before: the later bid replaces the first.
    world.at(lot.bid_deadline - dt.timedelta(hours=14))
    sealed_bid(lot, bidders[0], priced(lot, Decimal("0.94")), 365)
    world.at(world.real_now)
    freeze.close_lot(lot)


def stage_failed(world: World, lot: Any, staff: User, bidders: list[User]) -> None:
    """Only two bids by the deadline: closing the lot declares it failed (流标)."""
    from bidding.bids import freeze

    bidders = [world.supplier(5), world.supplier(2)]
    world.at(lot.doc_start_at + dt.timedelta(days=3))
    for user in bidders:
        ensure_downloaded(lot, user)
    bid_round(world, lot, staff, bidders)
    world.at(lot.bid_deadline + dt.timedelta(minutes=1))
    freeze.close_lot(lot)
    # The agency announces it (流标公告) with the reason the freeze recorded; the lot waits
    # to be tendered again from its results page.
    from bidding.results.failure import announce_failure

    world.at(lot.bid_deadline + dt.timedelta(hours=2))
    announce_failure(lot, staff, next_step="招标人将调整招标方案后重新组织招标。")
    world.announcements += 1
