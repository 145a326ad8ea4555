"""The text of the result notices: candidate publicity, result and contract announcements.

Rendered in Chinese by the services (force_locale), from the fields the announcement
stores, so the portal and OCDS read the same data the text was made from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.core import formatting
from app.core.formatting import yuan
from bidding.methods import TENDER_WORDS, ResultWords


def lot_fields(lot: Any) -> dict[str, Any]:
    """What every result notice of a lot carries."""
    project = lot.project
    purchaser, agency = project.purchaser, project.agency
    return {
        "project_code": project.code,
        "trade_id": project.trade_id,
        "project_name": project.name,
        "lot_id": lot.id,
        "lot_code": lot.code,
        "lot_name": lot.name,
        "purchaser_name": purchaser.name,
        "purchaser_contact": purchaser.contact_name,
        "purchaser_phone": purchaser.contact_phone,
        "agency_name": agency.name,
        "agency_contact": project.contact_name or agency.contact_name,
        "agency_phone": project.contact_phone or agency.contact_phone,
    }


def _contacts(f: Mapping[str, Any]) -> list[str]:
    return [
        _(
            "采购人：%(n)s　联系人：%(c)s　电话：%(p)s",
            n=f["purchaser_name"],
            c=f["purchaser_contact"] or "—",
            p=f["purchaser_phone"] or "—",
        ),
        _(
            "采购代理机构：%(n)s　联系人：%(c)s　电话：%(p)s",
            n=f["agency_name"],
            c=f["agency_contact"] or "—",
            p=f["agency_phone"] or "—",
        ),
    ]


def candidate_line(c: Mapping[str, Any]) -> str:
    line = _(
        "第%(r)s名：%(s)s，投标报价 %(p)s",
        r=c["rank"],
        s=c["supplier_name"],
        p=yuan(c["price"]) if c.get("price") is not None else "—",
    )
    if c.get("total") is not None:
        line += _("，评审得分 %(t)s", t=c["total"])
        parts = [
            (_("价格分"), c.get("price_score")),
            (_("技术分"), c.get("technical")),
            (_("商务分"), c.get("commercial")),
        ]
        shown = "，".join(f"{label} {v}" for label, v in parts if v is not None)
        if shown:
            line += f"（{shown}）"
    return line


def render_publicity_body(f: Mapping[str, Any]) -> str:
    rejected = f.get("rejected") or []
    lines = [
        _("一、项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]),
        _(
            "二、项目名称：%(p)s（%(c)s %(n)s）",
            p=f["project_name"],
            c=f["lot_code"],
            n=f["lot_name"],
        ),
        _("三、中标候选人："),
        *[candidate_line(c) for c in f["candidates"]],
        _("四、被否决的投标及理由："),
        *(
            [_("%(s)s：%(r)s", s=r["supplier_name"], r=r["reason"] or "—") for r in rejected]
            or [_("无")]
        ),
        _(
            "五、公示期：%(a)s至%(b)s。",
            a=formatting.cst(f["publicity_start"], formatting.CHINESE_MINUTE),
            b=formatting.cst(f["publicity_end"], formatting.CHINESE_MINUTE),
        ),
        _(
            "六、投标人或者其他利害关系人对评标结果有异议的，应当在公示期内通过本平台“评标结果”页面"
            "以书面形式提出并附相关材料；招标人自收到异议之日起 %(d)s 日内答复，答复前暂停定标。",
            d=f["answer_days"],
        ),
        _("七、联系方式："),
        *_contacts(f),
    ]
    return "\n".join(lines)


def render_result_body(f: Mapping[str, Any], words: ResultWords = TENDER_WORDS) -> str:
    """中标结果公告 or 成交结果公告, in the words of the lot's method."""
    lines = [
        _("一、项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]),
        _(
            "二、项目名称：%(p)s（%(c)s %(n)s）",
            p=f["project_name"],
            c=f["lot_code"],
            n=f["lot_name"],
        ),
        _("三、%(who)s：%(s)s", who=_(words.winner), s=f["winner"]),
        _("四、%(what)s：%(a)s", what=_(words.amount), a=yuan(f["amount"])),
    ]
    for p in f.get("passed_over") or []:
        lines.append(
            _(
                "排名第%(r)s的%(c)s未被确定为%(w)s：%(why)s",
                r=p["rank"],
                c=_(words.candidates),
                w=_(words.winner),
                why=p["reason_label"],
            )
        )
    if f.get("challenge_until"):
        lines.append(
            _(
                "供应商认为本结果使自己的权益受到损害的，可在 %(t)s 前通过本平台提出质疑。",
                t=formatting.cst(f["challenge_until"], formatting.CHINESE_MINUTE),
            )
        )
    lines += [_("联系方式："), *_contacts(f)]
    return "\n".join(lines)


def render_contract_body(f: Mapping[str, Any]) -> str:
    lines = [
        _("一、合同编号：%(v)s", v=f["contract_number"]),
        _("二、项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]),
        _(
            "三、项目名称：%(p)s（%(c)s %(n)s）",
            p=f["project_name"],
            c=f["lot_code"],
            n=f["lot_name"],
        ),
        _("四、采购人：%(v)s", v=f["purchaser_name"]),
        _("五、供应商：%(v)s", v=f["supplier"]),
        _("六、合同金额：%(a)s", a=yuan(f["amount"])),
        _("七、合同签订日期：%(d)s", d=f["signed_on"]),
    ]
    if f.get("amendment_reason"):
        lines.append(_("八、合同变更理由：%(v)s", v=f["amendment_reason"]))
    lines += [_("联系方式："), *_contacts(f)]
    return "\n".join(lines)


def render_failure_body(f: Mapping[str, Any]) -> str:
    """流标/废标公告: what failed, why, and what happens next."""
    rejected = f.get("rejected") or []
    sections: list[tuple[str, list[str]]] = [
        (_("项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]), []),
        (
            _(
                "项目名称：%(p)s（%(c)s %(n)s）",
                p=f["project_name"],
                c=f["lot_code"],
                n=f["lot_name"],
            ),
            [],
        ),
        (_("流标/废标原因：%(r)s", r=f["reason"]), []),
        (_("递交投标文件的投标人：%(n)s 家", n=f["bid_count"]), []),
    ]
    if f.get("valid_count") is not None:
        sections.append((_("评标后有效投标：%(n)s 家", n=f["valid_count"]), []))
    if rejected:
        rows = [_("%(s)s：%(r)s", s=r["supplier_name"], r=r["reason"] or "—") for r in rejected]
        sections.append((_("被否决的投标及理由："), rows))
    if f.get("next_step"):
        sections.append((_("后续安排：%(v)s", v=f["next_step"]), []))
    sections.append((_("联系方式："), _contacts(f)))
    lines: list[str] = []
    for n, (head, rows) in enumerate(sections):
        lines.append(f"{NUMERALS[n]}、{head}")
        lines += rows
    return "\n".join(lines)


# Section numbers of a notice's text (一、二、…).
NUMERALS = "一二三四五六七八九十"
