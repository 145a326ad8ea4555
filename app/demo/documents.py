"""Tender and bid documents of the demo: small Chinese PDFs, notice texts, downloads."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from app.core import formatting
from app.core.auth.models import User
from app.demo.context import World

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
# Clarification notices by subject: (title, body) with {project}, {code} and {lot} filled in.
CLARIFICATIONS: dict[str, tuple[str, str]] = {
    # Early, so the deadline holds.
    "signals": (
        "{project}澄清公告（第1号）",
        "各潜在投标人：现对{project}（项目编号 {code}）"
        "招标文件作如下澄清：\n一、第三章第 2.3 条“信号机须支持 NTCIP 协议”更正为"
        "“信号机须支持 GB/T 20999 协议，支持 NTCIP 协议的优先”。\n"
        "二、其余内容不变。本澄清距投标截止时间超过 15 日，投标截止及开标时间不变。",
    ),
    # Late, with a second tender document: the deadline moves.
    "insulation": (
        "{project}{lot}澄清（更正）公告",
        "各潜在投标人：{project}（项目编号 {code}）招标文件"
        "第五章工程量清单有误，现更正如下：\n"
        "一、外墙保温工程量由 18,600 平方米更正为 21,350 平方米，最高投标限价不变；\n"
        "二、因本次澄清距原投标截止时间不足 15 日，投标截止及开标时间相应顺延；\n"
        "三、更正后的招标文件（第2版）已在平台发布，请已下载的投标人重新下载。",
    ),
    "cleaners": (
        "{project}澄清公告",
        "各潜在投标人：招标文件第三章“服务人员配置”中保洁人员数量由 42 人更正为 45 人，"
        "其余内容不变。本澄清距投标截止时间超过 15 日，投标截止及开标时间不变。",
    ),
}

_FONT_READY = False


def pdf(title: str, paragraphs: list[str], author: str = "Tender Hall demo") -> bytes:
    """A small Chinese PDF (one page) standing in for a tender or bid document."""
    global _FONT_READY
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
    doc = SimpleDocTemplate(buf, pagesize=A4, title=title, author=author)
    flow: list[Any] = [Paragraph(title, head), Spacer(1, 12)]
    for text in paragraphs:
        flow.append(Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), body))
        flow.append(Spacer(1, 6))
    doc.build(flow)
    return buf.getvalue()


def tender_document(
    lot: Any, staff: User, project: str, lot_name: str, cat: str, budget: Decimal
) -> None:
    """Upload the lot's first tender document."""
    from bidding.documents.files import stage_file
    from bidding.documents.versions import upload_document

    data = pdf(
        f"{project}招标文件",
        [
            f"项目编号：{lot.project.code}　标段：{lot.code} {lot_name}",
            f"采购人：{lot.project.purchaser.name}　代理机构：{lot.project.agency.name}",
            "第一章 招标公告　第二章 投标人须知　第三章 采购需求　第四章 评标办法　"
            "第五章 合同条款　第六章 投标文件格式",
            f"预算金额：{formatting.yuan(budget)}；最高限价：{formatting.yuan(lot.ceiling_price)}；"
            f"投标保证金：{formatting.yuan(lot.bid_bond)}。",
            "评标办法："
            + ("经评审的最低投标价法。" if cat == "A" else "综合评分法（价格分 30 分）。"),
        ],
    )
    staged = stage_file(io.BytesIO(data), f"{lot.code}-招标文件.pdf")
    upload_document(lot, staff, staged, "招标文件（第一版）")


def clarify(world: World, lot: Any, staff: User, which: str, **kw: Any) -> None:
    """Publish one of CLARIFICATIONS (with a `staged` document or `new_deadline` if given)."""
    from bidding.documents.clarifications import publish_clarification

    title, body = CLARIFICATIONS[which]
    names = {"project": lot.project.name, "code": lot.project.code, "lot": lot.name}
    publish_clarification(lot, staff, title=title.format(**names), body=body.format(**names), **kw)
    world.announcements += 1


def download(lot: Any, user: User) -> None:
    from bidding.documents.downloads import download_document

    download_document(lot, user, ip=f"10.20.3.{user.id % 250}", user_agent="Mozilla/5.0")


def ensure_downloaded(lot: Any, user: User) -> None:
    """Download the tender document unless the user's organisation already has it."""
    from bidding.documents.queries import has_downloaded

    if not has_downloaded(lot, user.organisation):
        download(lot, user)
