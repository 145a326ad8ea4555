"""The demo's fixed cast and programme: centres, holidays, organisations and the lots."""

from __future__ import annotations

from typing import NamedTuple

CENTRES: list[dict[str, str]] = [
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

AGENCIES: dict[str, list[str]] = {
    "wlcb": ["内蒙古鑫诚招标代理有限公司", "乌兰察布市正信工程项目管理有限公司"],
    "my": ["四川省绵投工程咨询有限公司", "绵阳科信招标代理有限公司"],
}
PURCHASERS: dict[str, list[str]] = {
    "wlcb": [
        "乌兰察布市集宁区教育局",
        "乌兰察布市中心医院",
        "察哈尔右翼前旗住房和城乡建设局",
        "乌兰察布市政务服务与数据管理局",
        "乌兰察布市集宁区住房和城乡建设局",
        "乌兰察布市第一中学",
        "察哈尔右翼前旗人民医院",
        "察哈尔右翼前旗交通运输局",
    ],
    "my": [
        "绵阳市涪城区卫生健康局",
        "绵阳市公安局交通警察支队",
        "绵阳市游仙区农业农村局",
        "绵阳市游仙区教育和体育局",
        "绵阳科技城新区管理委员会",
        "绵阳市第三人民医院",
        "绵阳市涪城区政务服务和大数据管理局",
        "绵阳市游仙区人民医院",
    ],
}
# Who buys each project: a hospital buys for a hospital, a school bureau for schools.
PURCHASER_OF: dict[str, str] = {
    "集宁区2026年中小学教学设备采购项目": "乌兰察布市集宁区教育局",
    "乌兰察布市中心医院医疗设备采购项目": "乌兰察布市中心医院",
    "察右前旗老旧小区改造工程（二期）": "察哈尔右翼前旗住房和城乡建设局",
    "集宁区智慧校园安防系统建设项目": "乌兰察布市集宁区教育局",
    "乌兰察布市中心医院物业管理服务采购项目": "乌兰察布市中心医院",
    "察右前旗农村牧区道路硬化工程": "察哈尔右翼前旗交通运输局",
    "乌兰察布市政务云平台扩容项目": "乌兰察布市政务服务与数据管理局",
    "集宁区教育局校车租赁服务项目": "乌兰察布市集宁区教育局",
    "乌兰察布市中心医院信息系统运维项目": "乌兰察布市中心医院",
    "集宁区2026年供热管网改造工程": "乌兰察布市集宁区住房和城乡建设局",
    "乌兰察布市第一中学学生公寓物业管理服务项目": "乌兰察布市第一中学",
    "察右前旗人民医院医疗设备采购项目": "察哈尔右翼前旗人民医院",
    "集宁区新区市政道路改造工程": "乌兰察布市集宁区住房和城乡建设局",
    "乌兰察布市中心医院信息化系统建设项目": "乌兰察布市中心医院",
    "涪城区基层医疗机构设备采购项目": "绵阳市涪城区卫生健康局",
    "绵阳市交通信号控制系统升级项目": "绵阳市公安局交通警察支队",
    "游仙区高标准农田建设项目": "绵阳市游仙区农业农村局",
    "涪城区卫生健康局办公家具采购项目": "绵阳市涪城区卫生健康局",
    "绵阳市公安局交警支队执法记录仪采购项目": "绵阳市公安局交通警察支队",
    "游仙区农业农村局农产品检测服务项目": "绵阳市游仙区农业农村局",
    "绵阳市涪城区公共卫生间改造工程": "绵阳市涪城区卫生健康局",
    "绵阳市公安局交警支队车辆维修服务项目": "绵阳市公安局交通警察支队",
    "游仙区中小学校园安防系统升级项目": "绵阳市游仙区教育和体育局",
    "绵阳科技城新区道路改造工程": "绵阳科技城新区管理委员会",
    "绵阳市第三人民医院物业管理服务项目": "绵阳市第三人民医院",
    "涪城区政务信息化系统运维项目": "绵阳市涪城区政务服务和大数据管理局",
    "游仙区人民医院医疗设备采购项目": "绵阳市游仙区人民医院",
    "乌兰察布市大数据中心网络安全设备采购项目": "乌兰察布市政务服务与数据管理局",
    "乌兰察布市中心医院数据中心服务器采购项目": "乌兰察布市中心医院",
    "集宁区智慧停车管理系统竞争性谈判采购项目": "乌兰察布市政务服务与数据管理局",
}
# Contacts of the purchasers, in the order above.
PURCHASER_CONTACTS: list[str] = [
    "孙主任",
    "周科长",
    "吴老师",
    "郑科长",
    "王主任",
    "冯老师",
    "陈科长",
    "褚主任",
]
# The people behind the staff accounts (username suffix → name, per centre).
STAFF_NAMES: dict[str, dict[str, str]] = {
    "wlcb": {"staff": "赵丽娟", "staff2": "钱伟", "super": "郝建军", "centre": "乔慧敏"},
    "my": {"staff": "蒋文涛", "staff2": "罗佳", "super": "邓国强", "centre": "何静"},
}
# The bid contact of each supplier account, supplier01 first.
SUPPLIER_CONTACTS: list[str] = [
    "白云飞",
    "常志刚",
    "段晓燕",
    "范文军",
    "高红梅",
    "郭鹏",
    "侯建平",
    "贾丽",
    "康宁",
    "雷振华",
    "毛俊峰",
    "孟凡",
    "牛玉兰",
    "潘志勇",
    "邱敏",
    "任小龙",
    "石磊",
    "谭静",
    "田野",
    "万晓明",
    "武海涛",
    "夏雨",
    "薛梅",
    "严军",
]
AUTHORITIES: dict[str, str] = {"wlcb": "乌兰察布市财政局", "my": "绵阳市财政局"}
SUPPLIERS: list[str] = [
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
EXPERT_GIVEN: list[str] = ["建国", "海燕", "志强", "丽华", "文博", "晓东", "秀英", "立新"]


def expert_name(n: int) -> str:
    """The n-th expert's name: no two experts of the pool share one (n < 256)."""
    surname = EXPERT_SURNAMES[n % len(EXPERT_SURNAMES)]
    # Shifting the given name once per round of surnames keeps every pair distinct.
    return surname + EXPERT_GIVEN[(n + n // len(EXPERT_SURNAMES)) % len(EXPERT_GIVEN)]


class LotSpec(NamedTuple):
    """One lot of the programme and the stage the seed brings it to."""

    key: str  # centre
    project: str
    lot: str
    category: str
    budget: str  # yuan
    stage: str
    age: int  # days since the tender notice


# (project, lot, category, budget yuan, stage, days since the tender notice) per centre.
# Stages: draft (intent only), published, open (supplier01 may bid), clarified (deadline
# moved), objected (objection answered), suspended (objection pending), closed (deadline
# just passed, bids frozen), failed (流标), opened, evaluating, publicity (候选人公示),
# awarded (结果 + 合同公告), terminated; evaluation (committee at sign-in) and evaluated
# (report signed) go through the opening and the evaluation room for real.
_WLCB_LOTS: list[tuple[str, str, str, str, str, int]] = [
    ("集宁区2026年中小学教学设备采购项目", "多媒体教学一体机", "B", "1860000", "draft", 0),
    (
        "乌兰察布市中心医院医疗设备采购项目",
        "彩色多普勒超声诊断系统",
        "B",
        "2400000",
        "published",
        6,
    ),
    ("察右前旗老旧小区改造工程（二期）", "施工一标段", "A", "9650000", "clarified", 18),
    ("集宁区智慧校园安防系统建设项目", "视频监控及周界报警系统", "B", "1280000", "open", 5),
    ("乌兰察布市中心医院物业管理服务采购项目", "物业管理服务", "C", "3200000", "closed", 23),
    ("察右前旗农村牧区道路硬化工程", "施工二标段", "A", "5800000", "failed", 26),
    ("乌兰察布市政务云平台扩容项目", "云服务器及存储", "B", "4350000", "evaluating", 27),
    ("集宁区教育局校车租赁服务项目", "校车租赁服务", "C", "960000", "awarded", 46),
    ("乌兰察布市中心医院信息系统运维项目", "信息系统运维服务", "C", "750000", "terminated", 10),
    ("集宁区2026年供热管网改造工程", "供热管网施工", "A", "7600000", "awarded", 82),
    ("乌兰察布市第一中学学生公寓物业管理服务项目", "物业管理服务", "C", "1450000", "awarded", 64),
    ("察右前旗人民医院医疗设备采购项目", "全自动血液细胞分析仪", "B", "980000", "publicity", 24),
    ("集宁区新区市政道路改造工程", "道路改造施工标段", "A", "12600000", "awarded", 90),
    ("乌兰察布市中心医院信息化系统建设项目", "电子病历系统", "C", "2800000", "opened", 25),
]
_MY_LOTS: list[tuple[str, str, str, str, str, int]] = [
    ("涪城区基层医疗机构设备采购项目", "全自动生化分析仪", "B", "1650000", "objected", 4),
    ("绵阳市交通信号控制系统升级项目", "信号控制设备及安装", "B", "5200000", "published", 8),
    ("游仙区高标准农田建设项目", "施工标段", "A", "12800000", "opened", 27),
    ("涪城区卫生健康局办公家具采购项目", "办公家具", "B", "380000", "awarded", 52),
    ("绵阳市公安局交警支队执法记录仪采购项目", "执法记录仪", "B", "870000", "evaluating", 26),
    ("游仙区农业农村局农产品检测服务项目", "农产品质量安全检测服务", "C", "540000", "awarded", 70),
    ("绵阳市涪城区公共卫生间改造工程", "施工标段", "A", "2100000", "terminated", 15),
    ("绵阳市公安局交警支队车辆维修服务项目", "车辆维修定点服务", "C", "600000", "suspended", 5),
    ("游仙区中小学校园安防系统升级项目", "校园安防设备", "B", "1980000", "awarded", 85),
    ("绵阳科技城新区道路改造工程", "道路改造一标段", "A", "8800000", "awarded", 76),
    ("绵阳市第三人民医院物业管理服务项目", "物业管理服务", "C", "2600000", "awarded", 57),
    ("涪城区政务信息化系统运维项目", "信息化系统运维服务", "C", "900000", "publicity", 25),
    ("游仙区人民医院医疗设备采购项目", "医用 DR 数字化摄影系统", "B", "1500000", "draft", 0),
]
# Lots taken into the evaluation room by the real services (world_eval.py): one whose
# committee waits at sign-in, one evaluated with a signed report. Last, so that the lots
# above keep their places.
EVAL_LOTS: list[tuple[str, str, str, str, str, int]] = [
    (
        "乌兰察布市大数据中心网络安全设备采购项目",
        "网络安全及交换设备",
        "B",
        "2600000",
        "evaluation",
        23,
    ),
    (
        "乌兰察布市中心医院数据中心服务器采购项目",
        "服务器及存储设备",
        "B",
        "1900000",
        "evaluated",
        24,
    ),
    # 竞争性谈判 in its second round (world_negotiation.py).
    (
        "集宁区智慧停车管理系统竞争性谈判采购项目",
        "智慧停车设备及系统",
        "B",
        "1600000",
        "negotiation",
        23,
    ),
]
# In this order: a lot's place in the programme picks its purchaser, room and bidders.
LOTS: list[LotSpec] = [
    *(LotSpec("wlcb", *row) for row in _WLCB_LOTS),
    *(LotSpec("my", *row) for row in _MY_LOTS),
    *(LotSpec("wlcb", *row) for row in EVAL_LOTS),
]
