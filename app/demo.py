"""`flask demo seed`: two centres with calendars, organisations, people and lots in every stage.

Every demo account shares one password and has a fixed TOTP secret (printed, and the
current code is shown by `flask users totp NAME`), so a fresh install can be explored at
once. Lots are created through the bidding services with the clock set in the past, so
their history (notices, audit entries) looks as if it had happened; stages the services
do not reach yet are set on the models directly.
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

from app import clock
from app.audit import record
from app.auth import credit_code
from app.auth.models import Centre, Holiday, Organisation, OrgKind, Role, User
from app.auth.passwords import hash_password
from app.extensions import db

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
    _account("expert001", "expert", "评标专家（共 64 位：expert001–expert064）"),
    _account("supplier01", "supplier", "供应商（supplier01–supplier08）"),
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

# (centre key, project, lot, category, budget yuan, stage)
LOTS: list[tuple[str, str, str, str, str, str]] = [
    ("wlcb", "集宁区2026年中小学教学设备采购项目", "多媒体教学一体机", "B", "1860000", "draft"),
    (
        "wlcb",
        "乌兰察布市中心医院医疗设备采购项目",
        "彩色多普勒超声诊断系统",
        "B",
        "2400000",
        "published",
    ),
    ("wlcb", "察右前旗老旧小区改造工程（二期）", "施工一标段", "A", "9650000", "published"),
    ("wlcb", "乌兰察布市中心医院物业管理服务采购项目", "物业管理服务", "C", "3200000", "closed"),
    ("wlcb", "集宁区智慧校园安防系统建设项目", "视频监控系统", "B", "1280000", "opened"),
    ("wlcb", "察右前旗农村牧区道路硬化工程", "施工二标段", "A", "5800000", "failed"),
    ("wlcb", "乌兰察布市政务云平台扩容项目", "云服务器及存储", "B", "4350000", "evaluating"),
    ("wlcb", "集宁区教育局校车租赁服务项目", "校车租赁服务", "C", "960000", "awarded"),
    ("wlcb", "乌兰察布市中心医院信息系统运维项目", "信息系统运维服务", "C", "750000", "terminated"),
    ("my", "涪城区基层医疗机构设备采购项目", "全自动生化分析仪", "B", "1650000", "published"),
    ("my", "绵阳市交通信号控制系统升级项目", "信号控制设备及安装", "B", "5200000", "published"),
    ("my", "游仙区高标准农田建设项目", "施工标段", "A", "12800000", "closed"),
    ("my", "涪城区卫生健康局办公家具采购项目", "办公家具", "B", "380000", "opened"),
    ("my", "绵阳市公安局交警支队执法记录仪采购项目", "执法记录仪", "B", "870000", "evaluating"),
    (
        "my",
        "游仙区农业农村局农产品检测服务项目",
        "农产品质量安全检测服务",
        "C",
        "540000",
        "awarded",
    ),
    ("my", "绵阳市涪城区公共卫生间改造工程", "施工标段", "A", "2100000", "failed"),
    ("my", "绵阳市公安局交警支队车辆维修服务项目", "车辆维修定点服务", "C", "600000", "suspended"),
]

REQUIREMENTS = (
    "一、采购内容：{lot}（详见招标文件第三章《采购需求》）。\n"
    "二、交付（服务）期限：合同签订后 60 日历日内完成供货、安装及调试。\n"
    "三、质量要求：符合国家及行业现行标准，验收合格。\n"
    "四、本项目（是否）接受联合体投标：否。"
)
QUALIFICATIONS = (
    "1. 满足《中华人民共和国政府采购法》第二十二条规定；\n"
    "2. 未被列入“信用中国”网站失信被执行人、重大税收违法失信主体名单，"
    "未被列入中国政府采购网政府采购严重违法失信行为记录名单；\n"
    "3. 落实政府采购政策需满足的资格要求：本项目专门面向中小企业采购。"
)


class _Seeder:
    def __init__(self) -> None:
        self.password_hash = hash_password(DEMO_PASSWORD)
        self.credit_seq = 0
        self.orgs: dict[str, dict[str, list[Organisation]]] = {}
        self.staff: dict[str, User] = {}
        self.centres: dict[str, Centre] = {}

    def credit(self, region: str, kind_digit: str) -> str:
        self.credit_seq += 1
        return credit_code.complete(f"9{kind_digit}{region}{self.credit_seq:09d}")

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

    def run(self) -> dict[str, int]:
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
        suppliers_per_centre = len(SUPPLIERS) // len(CENTRES)
        for i, (key, centre) in enumerate(self.centres.items()):
            agencies = [
                self.org(OrgKind.AGENCY, n, centre, "1", contact_name="赵经理")
                for n in AGENCIES[key]
            ]
            purchasers = [self.org(OrgKind.PURCHASER, n, centre, "2") for n in PURCHASERS[key]]
            authority = self.org(OrgKind.AUTHORITY, AUTHORITIES[key], centre, "3")
            chunk = SUPPLIERS[i * suppliers_per_centre : (i + 1) * suppliers_per_centre]
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
        for n in range(1, 9):
            key = "wlcb" if n <= 4 else "my"
            org = self.orgs[key]["supplier"][(n - 1) % 4]
            self.user(f"supplier{n:02d}", f"投标联系人{n}", Role.SUPPLIER, org=org)
        centres = list(self.centres.values())
        for n, username in enumerate(DEMO_EXPERTS):
            name = EXPERT_SURNAMES[n % len(EXPERT_SURNAMES)] + EXPERT_GIVEN[n % len(EXPERT_GIVEN)]
            self.user(username, name, Role.EXPERT, centre=centres[n % len(centres)])
        lots = sum(self.lot(n, *spec) for n, spec in enumerate(LOTS, start=1))
        return {
            "centres": len(self.centres),
            "suppliers": len(SUPPLIERS),
            "experts": len(DEMO_EXPERTS),
            "lots": lots,
        }

    def lot(
        self, n: int, key: str, project_name: str, lot_name: str, cat: str, budget: str, stage: str
    ) -> int:
        centre = self.centres[key]
        staff = self.staff[key]
        purchaser = self.orgs[key]["purchaser"][n % len(self.orgs[key]["purchaser"])]
        real_now = clock.now()
        # Published lots still open for bids; later stages are dated so their deadline passed.
        if stage in ("draft", "published", "suspended"):
            start = real_now - dt.timedelta(days=3 + n % 5)
        else:
            start = real_now - dt.timedelta(days=40 + 3 * n)
        deadline = (start + dt.timedelta(days=26)).replace(
            hour=1, minute=30, second=0, microsecond=0
        )
        budget_d = Decimal(budget)
        lot_data = {
            "name": lot_name,
            "category_code": cat,
            "budget": budget,
            "ceiling_price": str((budget_d * Decimal("0.98")).quantize(Decimal("1"))),
            "bid_bond": str((budget_d * Decimal("0.01")).quantize(Decimal("1"))),
            "evaluation_method": "lowest_price" if cat == "A" else "comprehensive",
            "committee_size": 7 if budget_d >= 10_000_000 else 5,
            "doc_start_at": start + dt.timedelta(hours=1),
            "doc_end_at": start + dt.timedelta(days=16),
            "bid_deadline": deadline,
            "opening_place": f"{centre.name}开标室（{n % 3 + 1}）",
        }
        lot = None
        previous = clock._override
        try:
            with db.session.begin_nested():
                clock.set_now(start)
                lot = self._through_services(staff, purchaser, project_name, cat, lot_data, stage)
        except Exception as exc:  # services missing or stricter than the demo's dates
            click.echo(f"  ({lot_name}: services refused, using models: {exc})", err=True)
            lot = None
        finally:
            clock.set_now(previous)
        if lot is None:
            lot = self._through_models(n, centre, staff, purchaser, project_name, cat, lot_data)
        if stage not in ("draft", "published"):
            from bidding.models import LotStatus

            lot.status = LotStatus(stage)
            lot.status_reason = {
                "failed": "递交投标文件的供应商不足 3 家，本标段流标。",
                "terminated": "因采购需求发生重大变化，经采购人申请终止本次采购。",
                "suspended": "收到供应商对招标文件的异议，暂停采购活动待答复。",
            }.get(stage, "")
            db.session.flush()
            record("demo.lot_stage", lot, {"status": stage})
        return 1

    def _through_services(
        self,
        staff: User,
        purchaser: Organisation,
        project_name: str,
        cat: str,
        lot_data: dict[str, Any],
        stage: str,
    ) -> Any:
        from bidding import services as bidding

        project = bidding.create_project(
            staff,
            purchaser=purchaser,
            name=project_name,
            method="open",
            category_code=cat,
            lots=[lot_data],
            description=f"{purchaser.name}{project_name}，资金已落实，现进行公开招标。",
            funding_source="财政资金",
            contact_name="赵经理",
            contact_phone="0474-8888888",
        )
        lot = project.lots[0]
        if stage != "draft":
            bidding.publish_tender_notice(
                staff,
                project,
                {
                    "requirements": REQUIREMENTS.format(lot=lot.name),
                    "qualifications": QUALIFICATIONS,
                },
            )
        return lot

    def _through_models(
        self,
        n: int,
        centre: Centre,
        staff: User,
        purchaser: Organisation,
        project_name: str,
        cat: str,
        data: dict[str, Any],
    ) -> Any:
        from bidding.models import EvalMethod, Lot, LotStatus, Method, Project

        year = clock.cst_date(data["doc_start_at"]).year
        project = Project(
            code=f"{centre.code}-{year}-DEMO{n:03d}",
            trade_id=f"{centre.code}{year}{n:06d}",
            name=project_name,
            centre_id=centre.id,
            purchaser_id=purchaser.id,
            agency_id=staff.organisation_id,
            method=Method.OPEN,
            category_code=cat,
            description=f"{purchaser.name}{project_name}",
            created_by_id=staff.id,
            created_at=data["doc_start_at"],
        )
        db.session.add(project)
        db.session.flush()
        lot = Lot(
            project_id=project.id,
            seq=1,
            code=f"{project.code}-01",
            name=data["name"],
            category_code=cat,
            budget=Decimal(data["budget"]),
            ceiling_price=Decimal(data["ceiling_price"]),
            bid_bond=Decimal(data["bid_bond"]),
            evaluation_method=EvalMethod(data["evaluation_method"]),
            committee_size=data["committee_size"],
            status=LotStatus.PUBLISHED,
            doc_start_at=data["doc_start_at"],
            doc_end_at=data["doc_end_at"],
            bid_deadline=data["bid_deadline"],
            opening_place=data["opening_place"],
        )
        db.session.add(lot)
        db.session.flush()
        record("demo.lot_created", lot, {"code": lot.code})
        return lot


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
    counts = seed()
    db.session.commit()
    click.echo(
        f"Demo data: {counts['centres']} centres, {counts['suppliers']} suppliers, "
        f"{counts['experts']} experts, {counts['lots']} lots."
    )
    click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
    for acc in DEMO_ACCOUNTS:
        click.echo(f"  {acc['role']:<10} {acc['username']:<12} TOTP {acc['totp_secret'] or '-'}")


users_cli = AppGroup("users", help="User account tools.")


@users_cli.command("totp")
@click.argument("username")
def totp_command(username: str) -> None:
    """Print the current TOTP code of USERNAME (demo and support use)."""
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None or not user.totp_secret:
        raise click.ClickException(f"{username}: no such user or no TOTP secret")
    click.echo(pyotp.TOTP(user.totp_secret).at(clock.now()))
