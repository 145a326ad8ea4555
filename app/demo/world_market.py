"""The services market of the demo: a catalogue, agencies of several types with
qualifications and ratings, a finished auction, a random selection, a direct choice with
its rating, sealed quotes (综合评审) opened and being scored (world_sealed.py), an open
need to sign up for and an auction about to start (played by agency01 and agency02 in two
windows, watched by wlcb_buyer)."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from sqlalchemy import select

from app.core import clock
from app.core.auth.models import Organisation, OrgKind, Role, User
from app.core.extensions import db
from app.demo.accounts import DEMO_PASSWORD
from app.demo.context import World
from app.demo.world_people import add_user
from app.demo.world_sealed import build_sealed_need
from app.market import agencies, auction, catalogue, needs, ratings, selection
from app.market.models import Need

TYPES = [
    ("ZX", "咨询评估", "Consulting and assessment", None),
    ("ZX01", "环境影响评价", "Environmental impact assessment", "ZX"),
    ("ZX02", "安全评价", "Safety assessment", "ZX"),
    ("ZX03", "资产评估", "Asset valuation", "ZX"),
    ("GC", "工程技术服务", "Engineering services", None),
    ("GC01", "工程造价咨询", "Construction cost consulting", "GC"),
    ("GC02", "测绘", "Surveying and mapping", "GC"),
    ("SJ", "审计服务", "Audit services", None),
    ("SJ01", "财务审计", "Financial audit", "SJ"),
]
# username, name, [(type, level, qualification name)], staff, fees
AGENCIES = [
    (
        "agency01",
        "内蒙古绿源环境科技咨询有限公司",
        [("ZX01", 1, "建设项目环境影响评价资质"), ("ZX02", 2, "安全评价机构资质")],
        [("张明", "高级工程师", "环境影响评价工程师")],
        [("环境影响报告书", "按国家计价格〔2002〕125号文下浮 20%")],
    ),
    (
        "agency02",
        "乌兰察布市蓝天环保工程咨询有限公司",
        [("ZX01", 2, "建设项目环境影响评价资质")],
        [("李华", "工程师", "环境影响评价工程师")],
        [("环境影响报告表", "每份 8,000–15,000 元")],
    ),
    (
        "agency03",
        "内蒙古正衡资产评估有限公司",
        [("ZX03", 1, "资产评估资格证书"), ("ZX01", 2, "建设项目环境影响评价资质")],
        [("王磊", "资产评估师", "CPV")],
        [("资产评估", "按评估值分档累进收费")],
    ),
    (
        "agency04",
        "乌兰察布市宏图测绘有限公司",
        [("GC02", 2, "乙级测绘资质证书")],
        [("赵强", "注册测绘师", "测绘师执业证")],
        [("地形图测绘", "按 1:500 每平方公里计价")],
    ),
    (
        "agency05",
        "内蒙古诚信工程造价咨询有限公司",
        [("GC01", 1, "工程造价咨询企业甲级资质")],
        [("孙丽", "一级造价工程师", "造价工程师注册证")],
        [("预算编制", "按工程造价 0.3%–0.5%")],
    ),
    (
        "agency06",
        "乌兰察布市天衡会计师事务所有限公司",
        [("SJ01", 1, "会计师事务所执业证书")],
        [("周敏", "注册会计师", "CPA")],
        [("财务审计", "按资产总额分档计费")],
    ),
]


def certificate_pdf(title: str, number: str) -> bytes:
    """A one-page PDF standing for a scanned certificate (ASCII text, valid xref)."""
    text = f"Qualification certificate No. {number}".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        None,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    stream = b"BT /F1 18 Tf 72 760 Td (" + text + b") Tj ET"
    objects[3] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + (body or b"") + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _buyer(world: World, key: str, username: str, name: str) -> User:
    org: Organisation = world.orgs[key]["purchaser"][0]
    assert org.kind == OrgKind.PURCHASER
    return add_user(world, username, name, Role.PURCHASER, org=org)


def _post(buyer: User, title: str, code: str, method: str, budget: str, **kw: Any) -> Need:
    data: dict[str, Any] = {
        "title": title,
        "type_code": code,
        "scope": kw.pop("scope", "按国家和自治区有关规定完成服务，提交成果文件并通过审查。"),
        "budget": budget,
        "required_level": kw.pop("required_level", 2),
        "service_deadline": (clock.cst_date(clock.now()) + dt.timedelta(days=120)).isoformat(),
        "method": method,
        "gov_commissioned": kw.pop("gov", False),
    }
    return needs.post_need(buyer, data | kw)


def build_market(world: World) -> dict[str, int]:
    real = world.real_now
    admin = world.users["admin"]
    world.at(real - dt.timedelta(days=60))
    for code, name, name_en, parent in TYPES:
        catalogue.save_type(
            admin, {"code": code, "name": name, "name_en": name_en, "parent_code": parent}
        )
    buyer = _buyer(world, "wlcb", "wlcb_buyer", "乌兰察布市集宁区教育局 · 采购经办人")
    _buyer(world, "my", "my_buyer", "绵阳市涪城区卫生健康局 · 采购经办人")
    firms: list[User] = []
    for n, (username, name, quals, staff, fees) in enumerate(AGENCIES, start=1):
        user = agencies.register_agency(
            name=name,
            credit=world.credit("150900", "1"),
            username=username,
            password=DEMO_PASSWORD,
            contact_name=staff[0][0],
            email=f"{username}@demo.tenderhall.cn",
            phone=f"0474-86{n:05d}",
            region="乌兰察布市",
        )
        for code, level, qual_name in quals:
            number = f"{code}-{2024000 + n * 7}"
            agencies.add_qualification(
                user,
                {
                    "type_code": code,
                    "name": qual_name,
                    "level": level,
                    "number": number,
                    "issuer": "内蒙古自治区有关主管部门",
                    "valid_until": (clock.cst_date(real) + dt.timedelta(days=400)).isoformat(),
                },
                io.BytesIO(certificate_pdf(qual_name, number)),
                f"{number}.pdf",
            )
        agencies.save_profile(
            user,
            {
                "intro": f"{name}专业从事{'、'.join(catalogue.get_type(c).name for c, _l, _q in quals)}等中介服务。",
                "staff": [{"name": a, "title": b, "certificate": c} for a, b, c in staff],
                "fees": [{"service": a, "standard": b} for a, b in fees],
                "cases": [
                    {
                        "title": "乌兰察布市某学校扩建项目",
                        "client": "乌兰察布市教育局",
                        "year": "2025",
                    }
                ],
                "type_codes": [c for c, _l, _q in quals],
            },
        )
        firms.append(user)
    # agency04's second qualification expired a week ago: its type is hidden by the sweep.
    agencies.add_qualification(
        firms[3],
        {
            "type_code": "GC01",
            "name": "工程造价咨询企业乙级资质",
            "level": 2,
            "number": "GC01-2019031",
            "issuer": "内蒙古自治区住房和城乡建设厅",
            "valid_until": (clock.cst_date(real) - dt.timedelta(days=7)).isoformat(),
        },
        io.BytesIO(certificate_pdf("cost", "GC01-2019031")),
        "GC01-2019031.pdf",
    )

    # A finished auction: three bidders, one late bid extends the close, awarded and rated.
    world.at(real - dt.timedelta(days=30))
    start = clock.now() + dt.timedelta(days=2)
    done = _post(
        buyer,
        "集宁区第二中学教学楼改扩建项目环境影响评价",
        "ZX01",
        "auction",
        "120000",
        starts_at=start,
        closes_at=start + dt.timedelta(minutes=30),
        step="1000",
        extend_window_minutes=5,
        extend_minutes=5,
        gov=True,
    )
    for minutes, firm, price in (
        (3, 0, "118000"),
        (9, 1, "112000"),
        (17, 2, "108000"),
        (27, 0, "103000"),
        (29, 1, "99500"),
    ):
        world.at(start + dt.timedelta(minutes=minutes))
        auction.place_bid(firms[firm], done.id, price)
    world.at(start + dt.timedelta(minutes=40))
    auction.close_if_due(done)
    needs.confirm_auction(buyer, done)
    world.at(start + dt.timedelta(days=3))
    needs.upload_contract(
        buyer, done, io.BytesIO(certificate_pdf("contract", "HT-2026-031")), "合同 HT-2026-031.pdf"
    )
    world.at(start + dt.timedelta(days=20))
    needs.record_completion(buyer, done, "环评报告书已通过审批部门技术审查。")
    rating = ratings.rate(
        buyer,
        done,
        {
            "quality": 5,
            "timeliness": 4,
            "fee": 5,
            "conduct": 5,
            "comment": "报告质量高，按期提交，配合审查及时。",
        },
    )
    ratings.reply(firms[1], rating, "感谢认可，我们将继续做好后续技术服务。")

    # A random selection among the agencies that signed up (government-commissioned).
    world.at(real - dt.timedelta(days=12))
    drawn = _post(
        buyer, "集宁区教育局办公楼资产评估", "ZX03", "random", "45000", gov=True, required_level=3
    )
    world.at(real - dt.timedelta(days=11))
    _post(buyer, "集宁区教育局校舍安全评价", "ZX02", "direct", "30000", required_level=3)
    needs.sign_up(firms[2], drawn)
    # agency01 adds an asset-valuation qualification and signs up too.
    agencies.add_qualification(
        firms[0],
        {
            "type_code": "ZX03",
            "name": "资产评估资格证书",
            "level": 2,
            "number": "ZX03-2025118",
            "issuer": "内蒙古自治区财政厅",
            "valid_until": (clock.cst_date(real) + dt.timedelta(days=300)).isoformat(),
        },
        io.BytesIO(certificate_pdf("valuation", "ZX03-2025118")),
        "ZX03-2025118.pdf",
    )
    needs.sign_up(firms[0], drawn)
    world.at(real - dt.timedelta(days=10))
    selection.run_draw(buyer, drawn)

    # A direct choice, completed and rated.
    direct = db.session.execute(
        select(Need).where(Need.title == "集宁区教育局校舍安全评价")
    ).scalar_one()
    needs.choose_directly(
        buyer,
        direct,
        firms[0].organisation_id,
        "28000",
        "原建设期安全预评价单位，熟悉校舍结构资料。",
    )
    world.at(real - dt.timedelta(days=8))
    needs.upload_contract(
        buyer,
        direct,
        io.BytesIO(certificate_pdf("contract", "HT-2026-044")),
        "合同 HT-2026-044.pdf",
    )
    world.at(real - dt.timedelta(days=2))
    needs.record_completion(buyer, direct, "安全评价报告已交付。")
    ratings.rate(
        buyer,
        direct,
        {"quality": 4, "timeliness": 5, "fee": 4, "conduct": 5, "comment": "响应迅速。"},
    )

    # Sealed quotes opened yesterday; the buyer's committee of three is scoring.
    build_sealed_need(world, buyer, firms)

    # Open for sign-up, and the auction about to start.
    world.at(real - dt.timedelta(hours=2))
    _post(buyer, "集宁区新建幼儿园项目地形图测绘", "GC02", "random", "26000", required_level=3)
    world.at(real)
    soon = clock.now() + dt.timedelta(minutes=10)
    _post(
        buyer,
        "集宁区第三小学运动场改造项目环境影响评价",
        "ZX01",
        "auction",
        "80000",
        starts_at=soon,
        closes_at=soon + dt.timedelta(minutes=60),
        step="500",
        extend_window_minutes=5,
        extend_minutes=5,
    )
    agencies.refresh_all()
    return {"market_agencies": len(firms)}
