"""Lot category codes (标段分类) as the trading-platform data specification has them:
A = 工程, B = 货物, C = 服务, then two digits per level.

The government procurement catalogue (政府采购品目分类目录) uses other letters for the same
kinds (A 货物, B 工程, C 服务). Pages therefore never show a bare letter: `name()` reads a
code as words, and a government-procurement lot also shows its catalogue kind by name
(`gp_kind_name()`), so nobody reads one letter as the other. The catalogue is a plain
table so that the portal, the OCDS export and the forms all read the same labels.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    zh: str
    en: str

    @property
    def level(self) -> int:
        return 1 + (len(self.code) - 1) // 2


_ROWS: tuple[tuple[str, str, str], ...] = (
    ("A", "工程", "Works"),
    ("A01", "房屋建筑工程", "Building works"),
    ("A02", "市政公用工程", "Municipal works"),
    ("A03", "公路工程", "Highway works"),
    ("A04", "水利水电工程", "Water conservancy and hydropower works"),
    ("A05", "园林绿化工程", "Landscaping works"),
    ("A06", "装饰装修工程", "Decoration and fit-out works"),
    ("A07", "机电安装工程", "Mechanical and electrical installation"),
    ("A08", "施工", "Construction"),
    ("A0801", "房屋建筑施工", "Building construction"),
    ("A0802", "道路桥梁施工", "Road and bridge construction"),
    ("A0803", "管网施工", "Pipe network construction"),
    ("A09", "工程监理", "Works supervision"),
    ("A10", "工程勘察设计", "Survey and design"),
    ("B", "货物", "Goods"),
    ("B01", "房屋和构筑物", "Buildings and structures"),
    ("B02", "信息技术设备", "Information technology equipment"),
    ("B0201", "计算机设备", "Computers"),
    ("B0202", "网络设备", "Network equipment"),
    ("B0203", "信息安全设备", "Information security equipment"),
    ("B03", "办公设备", "Office equipment"),
    ("B04", "车辆", "Vehicles"),
    ("B05", "医疗设备", "Medical equipment"),
    ("B06", "教学仪器设备", "Teaching instruments"),
    ("B07", "家具用具", "Furniture and fixtures"),
    ("B08", "电气设备", "Electrical equipment"),
    ("B09", "图书档案", "Books and archives"),
    ("B10", "药品", "Pharmaceuticals"),
    ("C", "服务", "Services"),
    ("C01", "科学研究和试验开发", "Research and development"),
    ("C02", "信息技术服务", "Information technology services"),
    ("C0201", "软件开发服务", "Software development"),
    ("C0202", "信息系统集成实施服务", "Systems integration"),
    ("C0203", "运行维护服务", "Operations and maintenance"),
    ("C03", "电信和其他信息传输服务", "Telecommunication services"),
    ("C05", "金融服务", "Financial services"),
    ("C08", "专业技术服务", "Professional technical services"),
    ("C12", "工程咨询管理服务", "Engineering consultancy"),
    ("C14", "环境服务", "Environmental services"),
    ("C16", "物业管理服务", "Property management"),
    ("C1601", "保洁服务", "Cleaning services"),
    ("C1602", "安保服务", "Security services"),
    ("C18", "会议和展览服务", "Conference and exhibition services"),
    ("C21", "印刷和出版服务", "Printing and publishing"),
    ("C23", "餐饮服务", "Catering services"),
)

CATALOGUE: dict[str, Category] = {code: Category(code, zh, en) for code, zh, en in _ROWS}


def is_known(code: str | None) -> bool:
    return bool(code) and code in CATALOGUE


def label(code: str | None, locale: str = "zh_CN") -> str:
    """'A08 施工' in Chinese, 'A08 Construction' in English; the bare code when unknown."""
    if not code:
        return ""
    cat = CATALOGUE.get(code)
    if cat is None:
        return code
    return f"{cat.code} {cat.en if locale.startswith('en') else cat.zh}"


def name(code: str | None, locale: str = "zh_CN") -> str:
    """A code as words, without its letter: '工程 · 施工', 'Works · Construction'."""
    if not code:
        return ""
    english = locale.startswith("en")
    parts = []
    for n in range(1, len(code) + 1, 2):
        cat = CATALOGUE.get(code[:n])
        if cat is not None:
            parts.append(cat.en if english else cat.zh)
    return " · ".join(parts) if parts else code


# 政府采购品目分类目录: the same three kinds under different letters.
GP_KINDS: dict[str, tuple[str, str, str]] = {
    "A": ("B", "工程类", "Works"),
    "B": ("A", "货物类", "Goods"),
    "C": ("C", "服务类", "Services"),
}


# Methods that exist only under the Government Procurement Law (政府采购法).
def is_government_procurement(method: str, funding_source: str = "") -> bool:
    """A lot bought under the Government Procurement Law: its method says so, or its funds
    are fiscal (财政资金), which is how open tenders of public bodies are told apart."""
    from bidding.methods import rule_for  # the registry imports the lot models

    return not rule_for(method).is_tendering or "财政" in (funding_source or "")


def gp_kind_name(code: str | None, locale: str = "zh_CN") -> str:
    """The government procurement catalogue's kind of a lot category, by name only: its
    letter differs from the platform's and would be misread next to it."""
    row = GP_KINDS.get((code or "")[:1])
    if row is None:
        return ""
    return row[2] if locale.startswith("en") else row[1]


def kind_of(code: str) -> str:
    """The top-level letter: A (works), B (goods) or C (services)."""
    return code[:1]


def choices(locale: str = "zh_CN") -> list[tuple[str, str]]:
    return [(c.code, label(c.code, locale)) for c in CATALOGUE.values()]
