"""`flask demo seed`: two centres with calendars, organisations, people and lots in every stage.

Every demo account shares one password and has a fixed TOTP secret (printed, and the
current code is shown by `flask users totp NAME`), so a fresh install can be explored at
once. Lots are created through the bidding, documents, bids and experts services with the
clock set in the past, so their history (notices, downloads, bids, draws, audit entries)
happened under every rule; only the evaluation stages, which no service here reaches,
are set on the lot directly (with an audit entry).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

import click
import pyotp
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.core import clock
from app.core.audit import record
from app.core.auth import credit_code
from app.core.auth.models import Centre, Holiday, Organisation, OrgKind, Role, User
from app.core.auth.passwords import hash_password
from app.core.extensions import db

DEMO_PASSWORD = "TenderHall-2026"


def demo_totp_secret(username: str) -> str:
    """A fixed, reproducible TOTP secret per demo account (never use outside the demo)."""
    digest = hashlib.sha256(f"tenderhall-demo:{username}".encode()).digest()[:20]
    return base64.b32encode(digest).decode()


def _account(username: str, role: str, note: str) -> dict[str, Any]:
    two_factor = role in ("staff", "expert", "supervisor", "admin")
    return {
        "username": username,
        "password": DEMO_PASSWORD,
        "role": role,
        "totp_secret": demo_totp_secret(username) if two_factor else None,
        "note": note,
    }


# The accounts printed by `flask serve` and by the seed command.
DEMO_ACCOUNTS: list[dict[str, Any]] = [
    _account("admin", "admin", "平台管理员"),
    _account("wlcb_staff", "staff", "乌兰察布 · 代理机构经办人"),
    _account("wlcb_super", "supervisor", "乌兰察布 · 监督人员"),
    _account("my_staff", "staff", "绵阳 · 代理机构经办人"),
    _account("my_super", "supervisor", "绵阳 · 监督人员"),
    _account("wlcb_centre", "staff", "乌兰察布 · 交易中心工作人员（专家库）"),
    _account("my_centre", "staff", "绵阳 · 交易中心工作人员（专家库）"),
    _account("expert001", "expert", "评标专家（共 64 位：expert001–expert064）"),
    _account("supplier01", "supplier", "供应商（supplier01–supplier24，一家企业一个账号）"),
]
# Usernames of the expert accounts, for the expert pool to attach profiles to.
DEMO_EXPERTS: list[str] = [f"expert{n:03d}" for n in range(1, 65)]

CENTRES = [
    {
        "code": "150900",
        "name": "乌兰察布市公共资源交易中心",
        "name_en": "Ulanqab Public Resource Trading Centre",
        "region": "内蒙古自治区乌兰察布市",
        "key": "wlcb",
    },
    {
        "code": "510700",
        "name": "绵阳市公共资源交易中心",
        "name_en": "Mianyang Public Resource Trading Centre",
        "region": "四川省绵阳市",
        "key": "my",
    },
]

# 2026 from the State Council notice; 2027 provisional until its notice is published.
HOLIDAYS: list[tuple[str, str, bool]] = [
    ("2026-01-01", "元旦", False),
    ("2026-01-02", "元旦", False),
    ("2026-01-04", "元旦调休", True),
    *[(f"2026-02-{d:02d}", "春节", False) for d in (16, 17, 18, 19, 20, 23)],
    ("2026-02-14", "春节调休", True),
    ("2026-02-28", "春节调休", True),
    ("2026-04-06", "清明节", False),
    *[(f"2026-05-0{d}", "劳动节", False) for d in (1, 4, 5)],
    ("2026-05-09", "劳动节调休", True),
    ("2026-06-19", "端午节", False),
    ("2026-09-25", "中秋节", False),
    *[(f"2026-10-0{d}", "国庆节", False) for d in (1, 2, 5, 6, 7)],
    ("2026-09-20", "国庆节调休", True),
    ("2026-10-10", "国庆节调休", True),
    ("2027-01-01", "元旦（预排）", False),
    *[(f"2027-02-{d:02d}", "春节（预排）", False) for d in (5, 8, 9, 10, 11)],
    ("2027-02-20", "春节调休（预排）", True),
    ("2027-04-05", "清明节（预排）", False),
    *[(f"2027-05-0{d}", "劳动节（预排）", False) for d in (3, 4, 5)],
    ("2027-06-09", "端午节（预排）", False),
    ("2027-09-15", "中秋节（预排）", False),
    *[(f"2027-10-0{d}", "国庆节（预排）", False) for d in (1, 4, 5, 6, 7)],
    ("2027-09-26", "国庆节调休（预排）", True),
    ("2027-10-09", "国庆节调休（预排）", True),
]

AGENCIES = {
    "wlcb": ["内蒙古鑫诚招标代理有限公司", "乌兰察布市正信工程项目管理有限公司"],
    "my": ["四川省绵投工程咨询有限公司", "绵阳科信招标代理有限公司"],
}
PURCHASERS = {
    "wlcb": ["乌兰察布市集宁区教育局", "乌兰察布市中心医院", "察哈尔右翼前旗住房和城乡建设局"],
    "my": ["绵阳市涪城区卫生健康局", "绵阳市公安局交通警察支队", "绵阳市游仙区农业农村局"],
}
AUTHORITIES = {"wlcb": "乌兰察布市财政局", "my": "绵阳市财政局"}
SUPPLIERS = [
    "内蒙古蒙电信息技术有限公司",
    "乌兰察布市鑫隆建筑工程有限责任公司",
    "内蒙古草原绿野生态科技有限公司",
    "集宁区恒达办公设备经销部",
    "内蒙古北疆路桥建设有限公司",
    "乌兰察布市康源医疗器械有限公司",
    "内蒙古智联安防科技有限公司",
    "丰镇市宏远物业服务有限公司",
    "呼和浩特市瑞丰教学设备有限公司",
    "内蒙古蓝天环境工程有限公司",
    "内蒙古金桥信息工程有限公司",
    "卓资县顺达运输有限公司",
    "四川绵阳华丰电子有限公司",
    "绵阳市涪江建设工程有限公司",
    "四川长虹佳华信息产品有限责任公司",
    "绵阳市安康医疗设备有限公司",
    "四川科技城园林绿化有限公司",
    "绵阳市九洲物业管理有限公司",
    "四川蜀道交通工程有限公司",
    "绵阳市明德教育装备有限公司",
    "四川天府安防工程有限公司",
    "江油市鑫源建材有限公司",
    "四川省绵州环保科技有限公司",
    "三台县兴农农业机械有限公司",
]
EXPERT_SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹"
EXPERT_GIVEN = ["建国", "海燕", "志强", "丽华", "文博", "晓东", "秀英", "立新"]

# (centre key, project, lot, category, budget yuan, stage, days since the tender notice)
# Stages: draft (intent only), published, open (supplier01 may bid), clarified (deadline
# moved), objected (objection answered), suspended (objection pending), closed (deadline
# just passed, bids frozen), failed (流标), opened, evaluating, publicity (候选人公示),
# awarded (结果 + 合同公告), terminated.
LOTS: list[tuple[str, str, str, str, str, str, int]] = [
    ("wlcb", "集宁区2026年中小学教学设备采购项目", "多媒体教学一体机", "B", "1860000", "draft", 0),
    (
        "wlcb",
        "乌兰察布市中心医院医疗设备采购项目",
        "彩色多普勒超声诊断系统",
        "B",
        "2400000",
        "published",
        6,
    ),
    ("wlcb", "察右前旗老旧小区改造工程（二期）", "施工一标段", "A", "9650000", "clarified", 18),
    ("wlcb", "集宁区智慧校园安防系统建设项目", "视频监控及周界报警系统", "B", "1280000", "open", 5),
    (
        "wlcb",
        "乌兰察布市中心医院物业管理服务采购项目",
        "物业管理服务",
        "C",
        "3200000",
        "closed",
        23,
    ),
    ("wlcb", "察右前旗农村牧区道路硬化工程", "施工二标段", "A", "5800000", "failed", 26),
    ("wlcb", "乌兰察布市政务云平台扩容项目", "云服务器及存储", "B", "4350000", "evaluating", 27),
    ("wlcb", "集宁区教育局校车租赁服务项目", "校车租赁服务", "C", "960000", "awarded", 46),
    (
        "wlcb",
        "乌兰察布市中心医院信息系统运维项目",
        "信息系统运维服务",
        "C",
        "750000",
        "terminated",
        10,
    ),
    ("wlcb", "集宁区2026年供热管网改造工程", "供热管网施工", "A", "7600000", "awarded", 82),
    (
        "wlcb",
        "乌兰察布市第一中学学生公寓物业管理服务项目",
        "物业管理服务",
        "C",
        "1450000",
        "awarded",
        64,
    ),
    (
        "wlcb",
        "察右前旗人民医院医疗设备采购项目",
        "全自动血液细胞分析仪",
        "B",
        "980000",
        "publicity",
        24,
    ),
    ("wlcb", "集宁区新区市政道路改造工程", "道路改造施工标段", "A", "12600000", "awarded", 90),
    ("wlcb", "乌兰察布市中心医院信息化系统建设项目", "电子病历系统", "C", "2800000", "opened", 25),
    ("my", "涪城区基层医疗机构设备采购项目", "全自动生化分析仪", "B", "1650000", "objected", 4),
    ("my", "绵阳市交通信号控制系统升级项目", "信号控制设备及安装", "B", "5200000", "published", 8),
    ("my", "游仙区高标准农田建设项目", "施工标段", "A", "12800000", "opened", 27),
    ("my", "涪城区卫生健康局办公家具采购项目", "办公家具", "B", "380000", "awarded", 52),
    ("my", "绵阳市公安局交警支队执法记录仪采购项目", "执法记录仪", "B", "870000", "evaluating", 26),
    (
        "my",
        "游仙区农业农村局农产品检测服务项目",
        "农产品质量安全检测服务",
        "C",
        "540000",
        "awarded",
        70,
    ),
    ("my", "绵阳市涪城区公共卫生间改造工程", "施工标段", "A", "2100000", "terminated", 15),
    (
        "my",
        "绵阳市公安局交警支队车辆维修服务项目",
        "车辆维修定点服务",
        "C",
        "600000",
        "suspended",
        5,
    ),
    ("my", "游仙区中小学校园安防系统升级项目", "校园安防设备", "B", "1980000", "awarded", 85),
    ("my", "绵阳科技城新区道路改造工程", "道路改造一标段", "A", "8800000", "awarded", 76),
    ("my", "绵阳市第三人民医院物业管理服务项目", "物业管理服务", "C", "2600000", "awarded", 57),
    ("my", "涪城区政务信息化系统运维项目", "信息化系统运维服务", "C", "900000", "publicity", 25),
    ("my", "游仙区人民医院医疗设备采购项目", "医用 DR 数字化摄影系统", "B", "1500000", "draft", 0),
]

REQUIREMENTS = (
    "一、采购内容：{lot}（详见招标文件第三章《采购需求》）。\n"
    "二、交付（服务）期限：合同签订后 60 日历日内完成供货、安装及调试（服务类项目服务期一年）。\n"
    "三、质量要求：符合国家及行业现行标准，验收合格。\n"
    "四、本项目（是否）接受联合体投标：否。"
)
QUALIFICATIONS = (
    "1. 满足《中华人民共和国政府采购法》第二十二条规定；\n"
    "2. 未被列入“信用中国”网站失信被执行人、重大税收违法失信主体名单，"
    "未被列入中国政府采购网政府采购严重违法失信行为记录名单；\n"
    "3. 落实政府采购政策需满足的资格要求：本项目专门面向中小企业采购。"
)

# Opening-key custodians of the demo lots and their passphrases (demo only: real
# custodians type their own at the key ceremony and nobody else ever learns them).
CUSTODY_PASSPHRASES: dict[str, str] = {
    "wlcb_staff": "kaibiao-wlcb-staff",
    "wlcb_super": "kaibiao-wlcb-super",
    "wlcb_centre": "kaibiao-wlcb-centre",
}
# A low scrypt cost keeps the seed fast; custody uses the platform default for real lots.
DEMO_SCRYPT_N = 2**12

# Specialty codes (experts/specialties.py) the pool is built from, one per expert in turn.
SPECIALTY_CYCLE = [
    "C02.01.01.01",  # 保洁服务 (物业)
    "A08.02.01.01",  # 城市道路
    "B01.01.01.01",  # 服务器
    "B02.01.01.01",  # CT 设备 (医疗设备)
    "A08.01.01.01",  # 主体结构施工
    "B01.02.01.01",  # 网络交换机
    "C01.01.01.01",  # 政务软件开发
    "A09.01.01.01",  # 房屋建筑造价
]
SECONDARY = [
    "B03.01.01.01",
    "C03.01.01.01",
    "A08.03.01.01",
    "A08.04.01.01",
    "A02.01.01.01",
    "A03.01.01.01",
]
EXPERT_TITLES = ["高级工程师", "正高级工程师", "高级经济师", "副主任医师", "教授", "高级会计师"]
EMPLOYERS = {
    "wlcb": [
        "乌兰察布市第一中学",
        "集宁师范学院",
        "乌兰察布市建筑勘察设计研究院",
        "乌兰察布市中医医院",
        "乌兰察布职业学院",
        "内蒙古电力（集团）乌兰察布供电公司",
    ],
    "my": [
        "西南科技大学",
        "绵阳师范学院",
        "中国工程物理研究院",
        "绵阳市中心医院",
        "四川省绵阳市建筑设计院",
        "绵阳职业技术学院",
    ],
}

# Shown by the seed and by `flask serve`: who to log in as for what.
DEMO_GUIDE: list[str] = [
    "wlcb_staff / my_staff（代理机构经办人）→ “项目管理”：各阶段的项目、招标文件、澄清、答疑、异议、保证金",
    "supplier01（内蒙古蒙电信息技术有限公司）→ “集宁区智慧校园安防系统建设项目”正在投标："
    "招标文件可下载，保证金已登记，可在浏览器中加密递交投标文件",
    "开标大厅：“乌兰察布市中心医院物业管理服务采购项目”刚刚截止，已冻结 4 家投标；"
    "投标人 supplier08 / supplier10 / supplier03 / supplier18 签到（截止后 60 分钟内），"
    "密钥保管人任意 2 人出示分片后解密",
    "密钥保管人口令：wlcb_staff → kaibiao-wlcb-staff，wlcb_super → kaibiao-wlcb-super，"
    "wlcb_centre → kaibiao-wlcb-centre",
    "“察右前旗农村牧区道路硬化工程”投标人不足 3 家，已流标（可重新招标）",
    "expert001（评标专家）→ “我的邀请”：明日物业管理服务评标的邀请（2 小时内答复）",
    "wlcb_centre / my_centre（交易中心工作人员）→ 专家库（64 位专家）与专家抽取记录",
    "wlcb_super / my_super（监督人员）→ 审计日志、开标与抽取的全程记录",
    "门户首页：采购意向、招标、澄清/更正、中标候选人公示、中标结果、合同、终止公告（可搜索“施工”“医疗”“物业”）",
]


def _cst_at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.CST).astimezone(
        dt.UTC
    )


def _id_card(region: str, birth: dt.date, seq: int) -> str:
    """A syntactically valid (GB 11643) but fictitious ID card number."""
    body = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


_FONT_READY = False


def _pdf(title: str, paragraphs: list[str]) -> bytes:
    """A small Chinese PDF (one page) standing in for a tender or bid document."""
    global _FONT_READY
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if not _FONT_READY:
        if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        _FONT_READY = True
    body = ParagraphStyle("b", fontName="STSong-Light", fontSize=10.5, leading=16)
    head = ParagraphStyle("t", fontName="STSong-Light", fontSize=18, leading=26)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, author="Tender Hall demo")
    flow: list[Any] = [Paragraph(title, head), Spacer(1, 12)]
    for text in paragraphs:
        flow.append(Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), body))
        flow.append(Spacer(1, 6))
    doc.build(flow)
    return buf.getvalue()


def _yuan(value: Decimal) -> str:
    return f"{value:,.2f} 元"


class _Seeder:
    def __init__(self) -> None:
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.credit_seq = 0
        self.orgs: dict[str, dict[str, list[Organisation]]] = {}
        self.staff: dict[str, User] = {}
        self.users: dict[str, User] = {}
        self.centres: dict[str, Centre] = {}
        self.real_now = clock.now()
        self.today = clock.cst_date(self.real_now)
        self.lots: dict[str, Any] = {}  # stage-unique lots by a short name
        self.invited: list[str] = []
        self.announcements = 0

    # ------------------------------------------------------------------ people
    def credit(self, region: str, kind_digit: str, first: str = "9") -> str:
        self.credit_seq += 1
        return credit_code.complete(f"{first}{kind_digit}{region}{self.credit_seq:09d}")

    def user(
        self,
        username: str,
        name: str,
        role: Role,
        *,
        centre: Centre | None = None,
        org: Organisation | None = None,
    ) -> User:
        two_factor = role in (Role.STAFF, Role.EXPERT, Role.SUPERVISOR, Role.ADMIN)
        user = User(
            username=username,
            display_name=name,
            email=f"{username}@demo.tenderhall.cn",
            password_hash=self.password_hash,
            role=role,
            organisation_id=org.id if org else None,
            centre_id=centre.id if centre else (org.centre_id if org else None),
            totp_secret=demo_totp_secret(username) if two_factor else None,
            totp_enabled=two_factor,
            created_at=clock.now(),
        )
        db.session.add(user)
        db.session.flush()
        record("demo.user_created", user, {"username": username, "role": role.value})
        self.users[username] = user
        return user

    def org(
        self, kind: OrgKind, name: str, centre: Centre, kind_digit: str, **kw: Any
    ) -> Organisation:
        org = Organisation(
            kind=kind,
            name=name,
            credit_code=self.credit(centre.code, kind_digit),
            centre_id=centre.id,
            region=centre.region,
            created_at=clock.now(),
            **kw,
        )
        db.session.add(org)
        db.session.flush()
        record("demo.org_created", org, {"name": name, "kind": kind.value})
        return org

    def at(self, when: dt.datetime) -> None:
        clock.set_now(min(when, self.real_now))

    def run(self) -> dict[str, int]:
        from flask import current_app

        config = current_app.config
        saved_n = config.get("CUSTODY_SCRYPT_N")
        config["CUSTODY_SCRYPT_N"] = DEMO_SCRYPT_N
        previous = clock._override
        # Services build links to pages (url_for) as they notify people.
        ctx = current_app.test_request_context("/", base_url="http://127.0.0.1:5000/")
        ctx.push()
        try:
            clock.set_now(self.real_now - dt.timedelta(days=120))
            self.people()
            self.expert_pool()
            for n, spec in enumerate(LOTS, start=1):
                self.lot(n, *spec)
            self.draws()
        finally:
            ctx.pop()
            clock.set_now(previous)
            config["CUSTODY_SCRYPT_N"] = saved_n
        return {
            "centres": len(self.centres),
            "suppliers": len(SUPPLIERS),
            "experts": len(DEMO_EXPERTS),
            "lots": len(LOTS),
            "announcements": self.announcements,
        }

    def people(self) -> None:
        for spec in CENTRES:
            centre = Centre(
                code=spec["code"],
                name=spec["name"],
                name_en=spec["name_en"],
                region=spec["region"],
                settings={},
                created_at=clock.now(),
            )
            db.session.add(centre)
            db.session.flush()
            record("demo.centre_created", centre, {"code": centre.code})
            self.centres[spec["key"]] = centre
            for day, name, workday in HOLIDAYS:
                db.session.add(
                    Holiday(
                        centre_id=centre.id,
                        day=dt.date.fromisoformat(day),
                        is_workday=workday,
                        name=name,
                    )
                )
        self.user("admin", "平台管理员", Role.ADMIN)
        per_centre = len(SUPPLIERS) // len(CENTRES)
        phones = {"wlcb": "0474", "my": "0816"}
        for i, (key, centre) in enumerate(self.centres.items()):
            area = phones[key]
            agencies = [
                self.org(
                    OrgKind.AGENCY,
                    n,
                    centre,
                    "1",
                    contact_name=["赵经理", "钱工"][j],
                    contact_phone=f"{area}-{8231000 + 17 * j + i}",
                    address=f"{centre.region}{['新华街', '建设路'][j]} {18 + j * 9} 号",
                )
                for j, n in enumerate(AGENCIES[key])
            ]
            purchasers = [
                self.org(
                    OrgKind.PURCHASER,
                    n,
                    centre,
                    "2",
                    contact_name=["孙主任", "周科长", "吴老师"][j],
                    contact_phone=f"{area}-{6120000 + 311 * j + i}",
                    address=f"{centre.region}{['人民路', '解放路', '长江路'][j]} {6 + j * 11} 号",
                )
                for j, n in enumerate(PURCHASERS[key])
            ]
            authority = self.org(OrgKind.AUTHORITY, AUTHORITIES[key], centre, "3")
            centre_org = self.org(OrgKind.CENTRE, centre.name, centre, "2")
            chunk = SUPPLIERS[i * per_centre : (i + 1) * per_centre]
            suppliers = [
                self.org(OrgKind.SUPPLIER, n, centre, "4", legal_rep="法人代表") for n in chunk
            ]
            self.orgs[key] = {
                "agency": agencies,
                "purchaser": purchasers,
                "authority": [authority],
                "supplier": suppliers,
            }
            self.staff[key] = self.user(
                f"{key}_staff", f"{centre.region[-3:]}经办人", Role.STAFF, org=agencies[0]
            )
            self.user(f"{key}_staff2", "项目经理", Role.STAFF, org=agencies[1])
            self.user(f"{key}_super", "监督员", Role.SUPERVISOR, centre=centre, org=authority)
            self.user(
                f"{key}_centre", "交易中心工作人员", Role.STAFF, centre=centre, org=centre_org
            )
        all_suppliers = self.orgs["wlcb"]["supplier"] + self.orgs["my"]["supplier"]
        for n, org in enumerate(all_suppliers, start=1):
            self.user(f"supplier{n:02d}", f"投标联系人{n}", Role.SUPPLIER, org=org)
        centres = list(self.centres.values())
        for n, username in enumerate(DEMO_EXPERTS):
            name = EXPERT_SURNAMES[n % len(EXPERT_SURNAMES)] + EXPERT_GIVEN[n % len(EXPERT_GIVEN)]
            self.user(username, name, Role.EXPERT, centre=centres[n % len(centres)])

    def supplier(self, n: int) -> User:
        return self.users[f"supplier{n:02d}"]

    # ------------------------------------------------------------------ expert pool
    def expert_pool(self) -> None:
        from experts import services as pool
        from experts.models import ExpertStatus

        pool.seed_specialties()
        keys = list(self.centres)
        employers: dict[str, list[tuple[str, str]]] = {
            key: [(self.credit(self.centres[key].code, "2", "1"), n) for n in EMPLOYERS[key]]
            for key in keys
        }
        suppliers = {o.name: o for k in keys for o in self.orgs[k]["supplier"]}
        for n, username in enumerate(DEMO_EXPERTS):
            key = keys[n % len(keys)]
            i = n // len(keys)  # position within the centre's pool
            centre = self.centres[key]
            actor = self.users[f"{key}_centre"]
            user = self.users[username]
            secondary = [SECONDARY[i % len(SECONDARY)]]
            # Two more experts of the 乌兰察布 pool also evaluate property services, so that
            # the upcoming property-services draw has exactly its 4 seats and 2 reserves.
            if key == "wlcb" and i in (4, 12):
                secondary.append("C02.01.01.01")
            employer = employers[key][i % len(employers[key])]
            birth = dt.date(1962 + i % 24, 1 + i % 12, 1 + (n * 7) % 28)
            expert = pool.register_expert(
                centre,
                {
                    "name": user.display_name,
                    "id_card": _id_card(centre.code, birth, 100 + n),
                    "phone": f"13{(n * 7919) % 10**9:09d}",
                    "email": user.email,
                    "region": centre.region,
                    "title": EXPERT_TITLES[i % len(EXPERT_TITLES)],
                    "main_specialty": SPECIALTY_CYCLE[i % len(SPECIALTY_CYCLE)],
                    "secondary_specialties": secondary,
                    "employer_code": employer[0],
                    "employer_name": employer[1],
                    "user_id": user.id,
                },
                actor,
            )
            past = employers[key][(i + 2) % len(employers[key])]
            pool.add_employment(expert, past[0], past[1], "2012-03-01", "2019-06-30", actor)
            if key == "wlcb" and i == 9:  # left a road builder recently: avoids its bids
                org = suppliers["内蒙古北疆路桥建设有限公司"]
                pool.add_employment(
                    expert, org.credit_code, org.name, "2019-07-01", "2024-06-30", actor
                )
            if key == "wlcb" and i == 10:
                org = suppliers["内蒙古蒙电信息技术有限公司"]
                pool.add_relation(expert, org.credit_code, "shareholder", "持股 3%", actor)
            if key == "my" and i == 5:
                org = suppliers["四川长虹佳华信息产品有限责任公司"]
                pool.add_relation(expert, org.credit_code, "relative", "配偶在该公司任职", actor)
            if (key, i) in (("wlcb", 3), ("my", 7)):
                pool.set_status(
                    expert, ExpertStatus.SUSPENDED, "年度考核不合格，暂停评标资格六个月", actor
                )
            if (key, i) == ("my", 15):
                pool.set_status(expert, ExpertStatus.RETIRED, "本人申请退出专家库", actor)
            if (key, i) in (("wlcb", 6), ("my", 14)):
                start = self.real_now - dt.timedelta(days=2)
                pool.add_leave(
                    expert, start, start + dt.timedelta(days=20), "出国学术交流", expert.user
                )

    # ------------------------------------------------------------------ lots
    def timetable(
        self, centre: Centre, age: int, stage: str
    ) -> tuple[dt.datetime, dt.datetime, dt.datetime, dt.datetime]:
        """(notice time, documents from, documents until, deadline) of a lot."""
        from app.core.calendar import calendar_for

        cal = calendar_for(centre.id)
        if stage == "closed":  # the deadline has just passed: the opening hall is live
            deadline = self.real_now.replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
            notice = deadline - dt.timedelta(days=23)
        elif stage == "failed":
            deadline = _cst_at(self.today - dt.timedelta(days=3), 9, 30)
            notice = deadline - dt.timedelta(days=23)
        else:
            day = self.today - dt.timedelta(days=max(age, 1))
            notice = _cst_at(day, 9, 0)
            end_day = day + dt.timedelta(days=22)
            # Past deadlines move back to a working day, future ones forward (never across today).
            step = dt.timedelta(days=1 if end_day >= self.today else -1)
            while not cal.is_working_day(end_day) and end_day - step != self.today:
                end_day += step
            deadline = _cst_at(end_day, 9, 30)
            notice = _cst_at(end_day - dt.timedelta(days=22), 9, 0)
        docs_from = notice + dt.timedelta(hours=1)
        docs_until = _cst_at(cal.add_working_days(clock.cst_date(docs_from), 7), 17, 0)
        return notice, docs_from, docs_until, deadline

    def lot(
        self,
        n: int,
        key: str,
        project_name: str,
        lot_name: str,
        cat: str,
        budget: str,
        stage: str,
        age: int,
    ) -> None:
        from bidding.announcements import publish_intent, publish_tender_notice
        from bidding.models import LotStatus
        from bidding.projects import create_project

        centre = self.centres[key]
        staff = self.staff[key]
        purchaser = self.orgs[key]["purchaser"][n % len(self.orgs[key]["purchaser"])]
        notice, docs_from, docs_until, deadline = self.timetable(centre, age, stage)
        budget_d = Decimal(budget)
        lot_data = {
            "name": lot_name,
            "category_code": cat,
            "budget": budget,
            "ceiling_price": str((budget_d * Decimal("0.98")).quantize(Decimal("1"))),
            "bid_bond": str((budget_d * Decimal("0.01")).quantize(Decimal("1"))),
            "evaluation_method": "lowest_price" if cat == "A" else "comprehensive",
            "committee_size": 7 if budget_d >= 10_000_000 else 5,
            "doc_start_at": docs_from,
            "doc_end_at": docs_until,
            "bid_deadline": deadline,
            "opening_place": f"{centre.name}开标室（{n % 3 + 1}）",
        }
        if stage == "draft":
            notice = _cst_at(self.today - dt.timedelta(days=3 + n % 4), 10, 0)
        self.at(notice - dt.timedelta(days=15))
        project = create_project(
            staff,
            purchaser=purchaser,
            name=project_name,
            method="open",
            category_code=cat,
            lots=[lot_data],
            description=f"{purchaser.name}{project_name}，资金已落实，拟通过公开招标确定供应商。",
            funding_source="财政资金",
            contact_name=staff.organisation.contact_name if staff.organisation else "",
            contact_phone=staff.organisation.contact_phone if staff.organisation else "",
        )
        lot = project.lots[0]
        self.at(notice - dt.timedelta(days=14) if stage != "draft" else notice)
        month = clock.to_cst(docs_from).strftime("%Y-%m")
        publish_intent(
            staff,
            project,
            {
                "requirements": f"{lot_name}，预算 {_yuan(budget_d)}，具体需求以采购文件为准。",
                "expected_month": month,
            },
            lot=lot,
        )
        self.announcements += 1
        if stage == "draft":
            return
        self.at(notice)
        custodial = stage in ("open", "closed", "failed")
        if custodial:
            self.opening_key(lot, key)
        publish_tender_notice(
            staff,
            project,
            {"requirements": REQUIREMENTS.format(lot=lot_name), "qualifications": QUALIFICATIONS},
        )
        self.announcements += 1
        self.at(notice + dt.timedelta(minutes=40))
        self.tender_document(lot, staff, project_name, lot_name, cat, budget_d)
        bidders = self.bidders_for(key, cat, n)
        for j, user in enumerate(bidders):
            self.at(docs_from + dt.timedelta(hours=5 + 19 * j))
            self.download(lot, user)
        getattr(self, f"stage_{stage}", lambda *a: None)(lot, staff, bidders)
        if stage in ("opened", "evaluating", "awarded", "publicity"):
            self.at(deadline + dt.timedelta(minutes=45))
            lot.status = LotStatus.EVALUATING if stage == "publicity" else LotStatus(stage)
            db.session.flush()
            record("demo.lot_stage", lot, {"status": lot.status.value})
        if stage in ("awarded", "publicity"):
            self.award(lot, staff, bidders, final=stage == "awarded")
        self.lots.setdefault(stage, lot)
        self.lots.setdefault(f"{key}:{stage}", lot)

    def bidders_for(self, key: str, cat: str, n: int) -> list[User]:
        """Suppliers of the centre whose trade fits the category, a few per lot."""
        import re

        fits = {
            "A": "建筑|路桥|建设|工程|交通|建材",
            "B": "设备|医疗|信息|电子|安防|教学|器械|装备|机械|办公",
            "C": "物业|运输|环境|信息|环保|园林",
        }[cat]
        offset = 0 if key == "wlcb" else 12
        pool = [
            self.supplier(offset + i + 1)
            for i, name in enumerate(SUPPLIERS[offset : offset + 12])
            if re.search(fits, name)
        ]
        start = n % len(pool)
        return (pool[start:] + pool[:start])[: min(4, len(pool))]

    def tender_document(
        self, lot: Any, staff: User, project: str, lot_name: str, cat: str, budget: Decimal
    ) -> None:
        import io

        from bidding.documents.files import stage_file
        from bidding.documents.versions import upload_document

        data = _pdf(
            f"{project}招标文件",
            [
                f"项目编号：{lot.project.code}　标段：{lot.code} {lot_name}",
                f"采购人：{lot.project.purchaser.name}　代理机构：{lot.project.agency.name}",
                "第一章 招标公告　第二章 投标人须知　第三章 采购需求　第四章 评标办法　"
                "第五章 合同条款　第六章 投标文件格式",
                f"预算金额：{_yuan(budget)}；最高限价：{_yuan(lot.ceiling_price)}；"
                f"投标保证金：{_yuan(lot.bid_bond)}。",
                "评标办法："
                + ("经评审的最低投标价法。" if cat == "A" else "综合评分法（价格分 30 分）。"),
            ],
        )
        staged = stage_file(io.BytesIO(data), f"{lot.code}-招标文件.pdf")
        upload_document(lot, staff, staged, "招标文件（第一版）")

    def download(self, lot: Any, user: User) -> None:
        from bidding.documents.downloads import download_document

        download_document(lot, user, ip=f"10.20.3.{user.id % 250}", user_agent="Mozilla/5.0")

    def opening_key(self, lot: Any, key: str) -> None:
        from bidding.bids import services as bids

        names = [f"{key}_staff", f"{key}_super", f"{key}_centre"]
        custodians = [(self.users[u], CUSTODY_PASSPHRASES[u]) for u in names]
        bids.create_opening_key(lot, custodians, 2, self.staff[key])

    def bond(self, lot: Any, staff: User, user: User, n: int) -> None:
        from bidding.bids import services as bids

        assert user.organisation is not None
        bids.record_paid_bond(
            lot,
            user.organisation,
            staff,
            amount=lot.bid_bond,
            reference=f"BOND{clock.cst_date(clock.now()):%Y%m%d}{lot.id:04d}{n:03d}",
            payer_account=f"6222 0206 0200 {1000 + user.id:04d}",
        )

    def sealed_bid(self, lot: Any, user: User, price: Decimal, days: int) -> None:
        import io

        from app.core.crypto import seal_stream
        from bidding.bids import services as bids

        org = user.organisation
        assert org is not None
        key = bids.opening_key(lot)
        document = _pdf(
            f"{lot.name} 投标文件",
            [
                f"投标人：{org.name}（统一社会信用代码 {org.credit_code}）",
                f"项目编号：{lot.project.code}　标段：{lot.code}",
                f"投标总价：{_yuan(price)}；工期 / 服务期：{days} 日；质量：合格。",
                "我方承诺完全响应招标文件的全部要求，投标有效期 90 日。",
            ],
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
        upload = bids.start_upload(lot, user, size=len(data))
        bids.put_chunk(upload, user, 0, io.BytesIO(data))
        bids.finish_upload(upload, user)

    def bid_round(self, lot: Any, staff: User, bidders: list[User]) -> None:
        deadline = lot.bid_deadline
        for j, user in enumerate(bidders):
            self.at(deadline - dt.timedelta(days=6, hours=-j))
            self.bond(lot, staff, user, j + 1)
        for j, user in enumerate(bidders):
            self.at(deadline - dt.timedelta(days=2, hours=3 * j))
            factor = Decimal("0.97") - Decimal("0.035") * j
            self.sealed_bid(lot, user, (lot.ceiling_price * factor).quantize(Decimal("100")), 90)

    # ------------------------------------------------------------------ stages
    def stage_published(self, lot: Any, staff: User, bidders: list[User]) -> None:
        from bidding.documents.clarifications import publish_clarification
        from bidding.documents.questions import answer_question, ask_question

        self.at(lot.doc_start_at + dt.timedelta(days=1, hours=2))
        q = ask_question(
            lot,
            bidders[0],
            "招标文件第三章技术参数第 12 项要求“原厂授权”，代理商投标是否须提供原厂针对本项目的专项授权书？",
        )
        self.at(lot.doc_start_at + dt.timedelta(days=1, hours=6))
        answer_question(
            q,
            staff,
            "须提供制造商针对本项目出具的专项授权书原件扫描件，格式见招标文件第六章。",
        )
        if len(bidders) > 1:
            self.at(lot.doc_start_at + dt.timedelta(days=2))
            ask_question(lot, bidders[1], "投标保证金是否接受银行保函？有效期有何要求？")
        if lot.project.centre.code == "510700":  # an early amendment: the deadline holds
            self.at(lot.doc_start_at + dt.timedelta(days=3))
            publish_clarification(
                lot,
                staff,
                title=f"{lot.project.name}澄清公告（第1号）",
                body=(
                    f"各潜在投标人：现对{lot.project.name}（项目编号 {lot.project.code}）"
                    "招标文件作如下澄清：\n一、第三章第 2.3 条“信号机须支持 NTCIP 协议”更正为"
                    "“信号机须支持 GB/T 20999 协议，支持 NTCIP 协议的优先”。\n"
                    "二、其余内容不变。本澄清距投标截止时间超过 15 日，投标截止及开标时间不变。"
                ),
            )
            self.announcements += 1

    def stage_open(self, lot: Any, staff: User, bidders: list[User]) -> None:
        from bidding.documents.queries import has_downloaded
        from bidding.documents.questions import answer_question, ask_question

        supplier01 = self.supplier(1)
        self.at(lot.doc_start_at + dt.timedelta(hours=3))
        if not has_downloaded(lot, supplier01.organisation):
            self.download(lot, supplier01)
        self.at(lot.doc_start_at + dt.timedelta(days=2))
        self.bond(lot, staff, supplier01, 1)
        q = ask_question(
            lot, supplier01, "前端摄像机是否要求支持 H.265 编码？存储时长按 30 天还是 90 天计算？"
        )
        self.at(lot.doc_start_at + dt.timedelta(days=2, hours=5))
        answer_question(
            q, staff, "须支持 H.265/H.264 双编码；录像存储时长按不少于 90 天配置，详见清单。"
        )
        rival = self.supplier(7)
        if not has_downloaded(lot, rival.organisation):
            self.download(lot, rival)
        self.bond(lot, staff, rival, 2)
        self.at(self.real_now - dt.timedelta(hours=20))
        self.sealed_bid(
            lot, rival, (lot.ceiling_price * Decimal("0.95")).quantize(Decimal("100")), 60
        )

    def stage_clarified(self, lot: Any, staff: User, bidders: list[User]) -> None:
        import io

        from bidding.documents.clarifications import propose_deadline, publish_clarification
        from bidding.documents.files import stage_file

        self.at(self.real_now - dt.timedelta(days=1, hours=2))
        new_deadline = propose_deadline(lot)
        data = _pdf(
            f"{lot.project.name}招标文件（澄清后第二版）",
            ["第五章工程量清单第 3.2 节外墙保温面积由 18,600 平方米调整为 21,350 平方米。"],
        )
        staged = stage_file(io.BytesIO(data), f"{lot.code}-招标文件-第2版.pdf")
        publish_clarification(
            lot,
            staff,
            title=f"{lot.project.name}{lot.name}澄清（更正）公告",
            body=(
                f"各潜在投标人：{lot.project.name}（项目编号 {lot.project.code}）招标文件"
                "第五章工程量清单有误，现更正如下：\n"
                "一、外墙保温工程量由 18,600 平方米更正为 21,350 平方米，最高投标限价不变；\n"
                "二、因本次澄清距原投标截止时间不足 15 日，投标截止及开标时间相应顺延；\n"
                "三、更正后的招标文件（第2版）已在平台发布，请已下载的投标人重新下载。"
            ),
            staged=staged,
            new_deadline=new_deadline,
        )
        self.announcements += 1

    def stage_objected(self, lot: Any, staff: User, bidders: list[User]) -> None:
        from bidding.documents.objections import answer_objection, file_objection

        self.at(lot.doc_start_at + dt.timedelta(days=1, hours=8))
        obj = file_objection(
            lot,
            bidders[0],
            "招标文件要求“检测速度不低于 2000 测试/小时”且“须为进口品牌”，"
            "指向特定品牌，限制了国产设备参与竞争，请予以修改。",
        )
        self.at(lot.doc_start_at + dt.timedelta(days=2, hours=4))
        answer_objection(
            obj,
            staff,
            "经采购人复核，删除“须为进口品牌”的要求，检测速度调整为不低于 1200 测试/小时，"
            "将另行发布更正公告。",
        )

    def stage_suspended(self, lot: Any, staff: User, bidders: list[User]) -> None:
        from bidding.documents.objections import file_objection

        self.at(self.real_now - dt.timedelta(hours=20))
        file_objection(
            lot,
            bidders[0],
            "评分办法中“投标人须在绵阳市区设有 4S 店”的加分项属于以特定行政区域业绩"
            "作为加分条件，违反《政府采购法实施条例》第二十条，请求删除。",
        )

    def stage_closed(self, lot: Any, staff: User, bidders: list[User]) -> None:
        from bidding.bids import services as bids
        from bidding.documents.clarifications import publish_clarification
        from bidding.documents.queries import has_downloaded

        self.at(lot.doc_start_at + dt.timedelta(days=2))
        publish_clarification(
            lot,
            staff,
            title=f"{lot.project.name}澄清公告",
            body=(
                "各潜在投标人：招标文件第三章“服务人员配置”中保洁人员数量由 42 人更正为 45 人，"
                "其余内容不变。本澄清距投标截止时间超过 15 日，投标截止及开标时间不变。"
            ),
        )
        self.announcements += 1
        self.at(lot.doc_start_at + dt.timedelta(days=3))
        bidders = [self.supplier(8), self.supplier(10), self.supplier(3), self.supplier(18)]
        for user in bidders:
            if not has_downloaded(lot, user.organisation):
                self.download(lot, user)
        self.bid_round(lot, staff, bidders)
        # 宏远物业 revises its price the evening before: the later bid replaces the first.
        self.at(lot.bid_deadline - dt.timedelta(hours=14))
        self.sealed_bid(
            lot, bidders[0], (lot.ceiling_price * Decimal("0.94")).quantize(Decimal("100")), 365
        )
        self.at(self.real_now)
        bids.close_lot(lot)

    def stage_failed(self, lot: Any, staff: User, bidders: list[User]) -> None:
        from bidding.bids import services as bids
        from bidding.documents.queries import has_downloaded

        bidders = [self.supplier(5), self.supplier(2)]
        self.at(lot.doc_start_at + dt.timedelta(days=3))
        for user in bidders:
            if not has_downloaded(lot, user.organisation):
                self.download(lot, user)
        self.bid_round(lot, staff, bidders)
        self.at(lot.bid_deadline + dt.timedelta(minutes=1))
        bids.close_lot(lot)

    def stage_terminated(self, lot: Any, staff: User, bidders: list[User]) -> None:
        from bidding.termination import terminate_lot

        self.at(self.real_now - dt.timedelta(days=2, hours=3))
        reason = (
            "因医院信息系统整体迁移至市政务云，原运维需求发生重大变化，经采购人申请，终止本次采购。"
            if lot.project.centre.code == "150900"
            else "因项目选址调整，纳入城市更新统一实施，采购需求取消，经采购人申请终止本次采购。"
        )
        terminate_lot(staff, lot, reason)
        self.announcements += 1

    # ------------------------------------------------------------------ results
    def award(self, lot: Any, staff: User, bidders: list[User], *, final: bool) -> None:
        from bidding.announcements import publish_announcement
        from bidding.models import AnnouncementKind

        project = lot.project
        purchaser, agency = project.purchaser, project.agency
        ranked = bidders[:3]
        prices = [
            (lot.ceiling_price * (Decimal("0.93") - Decimal("0.025") * i)).quantize(Decimal("100"))
            for i in range(len(ranked))
        ]
        prices.sort()
        scores = ["92.36", "88.75", "85.10"]
        candidates = [
            {
                "rank": i + 1,
                "supplier": u.organisation.name if u.organisation else "",
                "price": prices[i],
                "score": scores[i] if lot.evaluation_method.value == "comprehensive" else None,
            }
            for i, u in enumerate(ranked)
        ]
        base = {
            "project_code": project.code,
            "trade_id": project.trade_id,
            "project_name": project.name,
            "lot_code": lot.code,
            "lot_name": lot.name,
            "purchaser_name": purchaser.name,
            "purchaser_contact": purchaser.contact_name,
            "purchaser_phone": purchaser.contact_phone,
            "agency_name": agency.name,
            "agency_contact": project.contact_name,
            "agency_phone": project.contact_phone,
        }
        contacts = (
            f"采购人：{purchaser.name}　联系人：{purchaser.contact_name}　电话：{purchaser.contact_phone}\n"
            f"采购代理机构：{agency.name}　联系人：{project.contact_name}　电话：{project.contact_phone}\n"
            f"监督部门：{AUTHORITIES['wlcb' if project.centre.code == '150900' else 'my']}"
        )
        method_word = (
            "经评审的最低投标价法"
            if lot.evaluation_method.value == "lowest_price"
            else "综合评分法"
        )
        start = lot.bid_deadline + dt.timedelta(days=2, hours=1)
        end_day = clock.cst_date(start) + dt.timedelta(days=3)
        self.at(start)
        lines = "\n".join(
            f"第{c['rank']}名：{c['supplier']}，投标报价 {_yuan(c['price'])}"
            + (f"，综合得分 {c['score']}" if c["score"] else "")
            for c in candidates
        )
        publish_announcement(
            staff,
            project,
            AnnouncementKind.CANDIDATES,
            f"{project.name}（{lot.name}）中标候选人公示",
            (
                f"一、项目编号：{project.code}\n二、项目名称：{project.name}（{lot.code} {lot.name}）\n"
                f"三、开标时间：{clock.to_cst(lot.bid_deadline):%Y年%m月%d日 %H:%M}\n"
                f"四、评标办法：{method_word}\n五、中标候选人：\n{lines}\n"
                f"六、公示期：{clock.cst_date(start):%Y年%m月%d日}至{end_day:%Y年%m月%d日}（3 日）。"
                "投标人或者其他利害关系人对评标结果有异议的，应当在公示期间以书面形式提出。\n"
                f"七、联系方式：\n{contacts}"
            ),
            lot=lot,
            fields={
                **base,
                "candidates": candidates,
                "publicity_start": clock.cst_date(start).isoformat(),
                "publicity_end": end_day.isoformat(),
            },
        )
        self.announcements += 1
        if not final:
            return
        winner = candidates[0]
        self.at(lot.bid_deadline + dt.timedelta(days=6, hours=2))
        publish_announcement(
            staff,
            project,
            AnnouncementKind.RESULT,
            f"{project.name}中标结果公告",
            (
                f"一、项目编号：{project.code}（交易编号 {project.trade_id}）\n"
                f"二、项目名称：{project.name}\n三、中标信息：\n"
                f"标段（包）：{lot.code} {lot.name}\n中标供应商：{winner['supplier']}\n"
                f"中标金额：{_yuan(winner['price'])}\n"
                f"四、评审专家名单：{'、'.join(['王建国', '李海燕', '张志强', '刘丽华', '陈文博'][: lot.committee_size - 1])}"
                "（采购人代表 1 名）\n"
                "五、公告期限：自本公告发布之日起 1 个工作日。\n"
                f"六、凡对本次公告内容提出询问，请按以下方式联系：\n{contacts}"
            ),
            lot=lot,
            fields={**base, "winner": winner["supplier"], "amount": winner["price"]},
        )
        self.announcements += 1
        signed = lot.bid_deadline + dt.timedelta(days=18)
        if signed + dt.timedelta(days=2) > self.real_now:
            return
        self.at(signed + dt.timedelta(days=2, hours=1))
        publish_announcement(
            staff,
            project,
            AnnouncementKind.CONTRACT,
            f"{project.name}合同公告",
            (
                f"一、合同编号：HT-{project.code}-01\n二、合同名称：{project.name}（{lot.name}）合同\n"
                f"三、项目编号：{project.code}\n四、采购人：{purchaser.name}\n"
                f"五、供应商：{winner['supplier']}\n六、合同金额：{_yuan(winner['price'])}\n"
                f"七、合同签订日期：{clock.cst_date(signed):%Y年%m月%d日}\n"
                f"八、履约期限：合同签订之日起 {'一年' if lot.category_code == 'C' else '120 日历日'}\n"
                f"九、联系方式：\n{contacts}"
            ),
            lot=lot,
            fields={
                **base,
                "supplier": winner["supplier"],
                "amount": winner["price"],
                "signed_on": clock.cst_date(signed).isoformat(),
            },
        )
        self.announcements += 1

    # ------------------------------------------------------------------ draws
    def draws(self) -> None:
        from experts import draw_services as draws
        from experts.models import InvitationState

        # A completed draw: the 政务云 evaluation took place yesterday; seed revealed.
        lot = self.lots["evaluating"]
        evaluation = _cst_at(clock.cst_date(lot.bid_deadline) + dt.timedelta(days=1), 9, 0)
        staff = self.staff["wlcb"]
        self.at(evaluation - dt.timedelta(hours=20))
        item = draws.request_draw(
            lot,
            staff,
            {
                "evaluation_at": evaluation,
                "venue": "乌兰察布市公共资源交易中心评标室（2）",
                "groups": [{"specialty": "B01", "count": 4, "reserves": 2}],
                "purchaser_reps": 1,
            },
        )
        self.at(evaluation - dt.timedelta(hours=3))
        draws.commit_draw(item, staff)
        draws.execute_draw(item, staff)
        self.at(evaluation - dt.timedelta(hours=2, minutes=30))
        first = True
        for _round in range(8):
            waiting = [i for i in item.invitations if i.state == InvitationState.INVITED]
            if not waiting:
                break
            for inv in waiting:
                user = inv.expert.user
                if first:
                    draws.answer(inv, user, False, "当日单位有紧急任务，无法参加")
                    first = False
                    break
                draws.answer(inv, user, True)
            db.session.refresh(item)
        self.at(evaluation + dt.timedelta(hours=8))
        draws.reveal_draw(item, staff)

        # An upcoming evaluation of the lot whose bids were just frozen: experts invited.
        lot = self.lots["closed"]
        evaluation = (self.real_now + dt.timedelta(hours=20)).replace(
            minute=0, second=0, microsecond=0
        )
        self.at(self.real_now - dt.timedelta(minutes=2))
        item = draws.request_draw(
            lot,
            staff,
            {
                "evaluation_at": evaluation,
                "venue": "乌兰察布市公共资源交易中心评标室（1）",
                "groups": [{"specialty": "C02", "count": 4, "reserves": 2}],
                "purchaser_reps": 1,
            },
        )
        draws.commit_draw(item, staff)
        draws.execute_draw(item, staff)
        for _round in range(3):  # some invited experts cannot come; reserves step in
            db.session.refresh(item)
            mine = [i for i in item.invitations if i.expert.user.username == "expert001"]
            if not mine or mine[0].state != InvitationState.WAITING:
                break
            other = next(
                i
                for i in item.invitations
                if i.state == InvitationState.INVITED and i.expert.user.username != "expert001"
            )
            draws.answer(other, other.expert.user, False, "出差在外，无法按时到场")
        db.session.refresh(item)
        self.invited = sorted(
            i.expert.user.username for i in item.invitations if i.state == InvitationState.INVITED
        )

        # A request registered for an evaluation two days ahead: drawn within 24 h of it.
        lot = self.lots["my:opened"]
        self.at(self.real_now - dt.timedelta(minutes=1))
        draws.request_draw(
            lot,
            self.staff["my"],
            {
                "evaluation_at": _cst_at(self.today + dt.timedelta(days=2), 9, 0),
                "venue": "绵阳市公共资源交易中心评标室（3）",
                "groups": [{"specialty": "A08", "count": 4, "reserves": 2}],
                "purchaser_reps": 1,
            },
        )


def seed() -> dict[str, int]:
    """Create the demo world in the current transaction (the caller commits)."""
    return _Seeder().run()


demo_cli = AppGroup("demo", help="Demonstration data.")


@demo_cli.command("seed")
@click.option("--if-empty", is_flag=True, help="Do nothing when any centre exists.")
def seed_command(if_empty: bool) -> None:
    """Create two centres, organisations, 60+ experts and lots in every stage."""
    exists = db.session.execute(select(func.count()).select_from(Centre)).scalar_one()
    if exists and if_empty:
        click.echo("Database already has data: demo seed skipped.")
        return
    if exists:
        raise click.ClickException("Database already has centres; seed only an empty database.")
    seeder = _Seeder()
    counts = seeder.run()
    db.session.commit()
    click.echo(
        f"Demo data: {counts['centres']} centres, {counts['suppliers']} suppliers, "
        f"{counts['experts']} experts, {counts['lots']} lots, "
        f"{counts['announcements']} announcements."
    )
    click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
    for acc in DEMO_ACCOUNTS:
        click.echo(f"  {acc['role']:<10} {acc['username']:<12} TOTP {acc['totp_secret'] or '-'}")
    click.echo("Demo guide:")
    for line in DEMO_GUIDE:
        click.echo(f"  · {line}")
    if seeder.invited and "expert001" not in seeder.invited:
        click.echo(f"  · 本次被邀请的评标专家：{'、'.join(seeder.invited)}")


users_cli = AppGroup("users", help="User account tools.")


@users_cli.command("totp")
@click.argument("username")
def totp_command(username: str) -> None:
    """Print the current TOTP code of USERNAME (demo and support use)."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.totp_secret:
        raise click.ClickException(f"{username}: no such user or no TOTP secret")
    click.echo(pyotp.TOTP(user.totp_secret).at(clock.now()))
