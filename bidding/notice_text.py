"""The text of notices: titles, the parties' contact block, form defaults and bodies.

Bodies are rendered from the announcement's stored fields, so a notice reads the same
whenever it is rendered again from those fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from flask_babel import gettext as _

from app.core import clock, formatting
from app.core.formatting import yuan
from bidding import categories
from bidding.forms import text_field
from bidding.labels import eval_label, method_label
from bidding.models import AnnouncementKind, Lot, LotStatus, Method, Project
from bidding.projects import latest_announcement

TITLE_MAX = 300


def fit_title(subject: str, suffix: str) -> str:
    """A generated title that fits the column: long names are shortened, the kind is kept."""
    room = TITLE_MAX - len(suffix)
    if len(subject) > room:
        subject = subject[: room - 1] + "…"
    return subject + suffix


def party_fields(project: Project, given: Mapping[str, Any]) -> dict[str, str]:
    purchaser, agency = project.purchaser, project.agency

    def pick(key: str, default: str, what: str, max_len: int = 200) -> str:
        value = given.get(key)
        text = str(value).strip() if value not in (None, "") else default
        return text_field(text, what, "", key, required=False, max_len=max_len)

    return {
        "purchaser_name": purchaser.name,
        "purchaser_address": pick("purchaser_address", purchaser.address, _("采购人地址")),
        "purchaser_contact": pick("purchaser_contact", purchaser.contact_name, _("采购人联系人")),
        "purchaser_phone": pick("purchaser_phone", purchaser.contact_phone, _("采购人电话")),
        "agency_name": agency.name,
        "agency_address": pick("agency_address", agency.address, _("代理机构地址")),
        "agency_contact": pick(
            "agency_contact", project.contact_name or agency.contact_name, _("代理机构联系人")
        ),
        "agency_phone": pick(
            "agency_phone", project.contact_phone or agency.contact_phone, _("代理机构电话")
        ),
    }


def intent_defaults(project: Project, lot: Lot | None = None) -> dict[str, Any]:
    """What the intent form starts from."""
    lots = (
        [lot] if lot is not None else [x for x in project.lots if x.status != LotStatus.TERMINATED]
    )
    first = min((x.doc_start_at for x in lots if x.doc_start_at), default=None)
    month = clock.to_cst(first).strftime("%Y-%m") if first else ""
    if not month and project.plan_line is not None:
        month = project.plan_line.expected_month  # what the finance office approved
    return {
        "requirements": project.description,
        "expected_month": month,
        "remarks": "",
    }


def tender_defaults(project: Project, lot: Lot | None = None) -> dict[str, Any]:
    """What the tender-notice form starts from: the parties' contacts and the last intent."""
    intent = latest_announcement(project, AnnouncementKind.INTENT, lot) or latest_announcement(
        project, AnnouncementKind.INTENT, None
    )
    out: dict[str, Any] = {
        "requirements": (intent.fields.get("requirements") if intent else "")
        or project.description,
        "qualifications": _(
            "1. 满足《中华人民共和国政府采购法》第二十二条规定；\n"
            "2. 未被列入“信用中国”网站失信被执行人、重大税收违法失信主体名单；\n"
            "3. 本项目不接受联合体投标。"
        ),
        "doc_obtain_method": _(
            "登录本平台，使用供应商账户在文件发售期内免费下载招标文件（不提供纸质文件）。"
        ),
        "bid_submission": _("投标文件须在本平台加密上传，逾期上传的系统将拒收。"),
        "remarks": "",
    }
    out.update(party_fields(project, {}))
    return out


def render_intent_body(f: Mapping[str, Any]) -> str:
    month = f.get("expected_month", "")
    lines = [
        _("为便于供应商及时了解政府采购信息，根据有关规定，现将采购意向公开如下："),
        "",
        _("一、采购项目名称：%(v)s", v=f["project_name"]),
        _("二、项目编号：%(v)s（交易编号 %(t)s）", v=f["project_code"], t=f["trade_id"]),
    ]
    if f.get("lot_name"):
        lines.append(_("三、标段（包）：%(c)s %(n)s", c=f["lot_code"], n=f["lot_name"]))
    lines += [
        _("采购需求概况：%(v)s", v=f["requirements"]),
        _("预算金额：%(v)s", v=yuan(Decimal(str(f["budget"])))),
        _("采购方式：%(v)s", v=method_label(f["method"])),
        _("标段分类：%(v)s", v=categories.name(f["category_code"])),
        _("预计采购时间：%(y)s年%(m)s月", y=month[:4], m=month[5:7]),
    ]
    if f.get("plan_code"):
        # The plan line the project draws on: the reader can trace the budget to the filing.
        lines += [
            _(
                "采购计划：%(c)s（预算项目编码 %(i)s，资金来源：%(s)s）",
                c=f["plan_code"],
                i=f["budget_item_code"],
                s=f["plan_funding_source"],
            ),
        ]
    lines += [
        "",
        _("采购人：%(v)s", v=f["purchaser_name"]),
        _(
            "联系人：%(n)s　电话：%(p)s",
            n=f["purchaser_contact"] or "—",
            p=f["purchaser_phone"] or "—",
        ),
        _("代理机构：%(v)s", v=f["agency_name"]),
        _("联系人：%(n)s　电话：%(p)s", n=f["agency_contact"] or "—", p=f["agency_phone"] or "—"),
    ]
    if f.get("remarks"):
        lines += ["", _("备注：%(v)s", v=f["remarks"])]
    lines += [
        "",
        _(
            "本次公开的采购意向是本单位采购工作的初步安排，具体采购项目情况以相关采购公告和采购文件为准。"
        ),
    ]
    return "\n".join(lines)


NUMERALS = "一二三四五六七八九十"


def section_numbers() -> Callable[[str], str]:
    """Numbers a notice's sections 一、二、三… in the order they are written, so that a
    section left out (no remarks) leaves no gap."""
    count = 0

    def heading(title: str) -> str:
        nonlocal count
        count += 1
        return f"{NUMERALS[count - 1]}、{title}"

    return heading


def render_tender_body(
    f: Mapping[str, Any], lots: Sequence[Mapping[str, Any]], method: Method
) -> str:
    heading = section_numbers()
    lines = [
        _(
            "%(agency)s受%(purchaser)s委托，对%(name)s进行%(method)s，欢迎合格的供应商前来投标。",
            agency=f["agency_name"],
            purchaser=f["purchaser_name"],
            name=f["project_name"],
            method=method_label(method),
        ),
        "",
        heading(_("项目基本情况")),
        _("项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]),
        _("项目名称：%(v)s", v=f["project_name"]),
        _("采购方式：%(v)s", v=method_label(method)),
        _("预算金额：%(v)s", v=yuan(Decimal(str(f["budget"])))),
        _(
            "最高限价：%(v)s",
            v=yuan(Decimal(str(f["ceiling_price"])))
            if f.get("ceiling_price") is not None
            else _("无"),
        ),
    ]
    if f.get("funding_source"):
        lines.append(_("资金来源：%(v)s", v=f["funding_source"]))
    if f.get("intent_exemption"):
        lines.append(_("未公开采购意向的说明：%(v)s", v=f["intent_exemption"]))
    for lot in lots:
        ceiling = lot.get("ceiling_price")
        lines.append(
            _(
                "标段（包）%(code)s %(name)s：标段分类 %(cat)s；预算 %(b)s；最高限价 %(c)s；"
                "投标保证金 %(bond)s；评标方法 %(ev)s；投标有效期 %(vd)s 日",
                code=lot["lot_code"],
                name=lot["lot_name"],
                cat=categories.name(lot["category_code"]),
                b=yuan(Decimal(str(lot["budget"]))),
                c=yuan(Decimal(str(ceiling))) if ceiling is not None else _("无"),
                bond=yuan(Decimal(str(lot["bid_bond"]))),
                ev=eval_label(lot["evaluation_method"]),
                vd=lot["validity_days"],
            )
        )
        if lot.get("floor_price") is not None:
            lines.append(
                _(
                    "标段（包）%(code)s 最低限价：%(v)s",
                    code=lot["lot_code"],
                    v=yuan(Decimal(str(lot["floor_price"]))),
                )
            )
    lines += [
        _("采购需求：%(v)s", v=f["requirements"]),
        "",
        heading(_("投标人的资格要求")),
        str(f["qualifications"]),
        "",
        heading(_("获取招标文件")),
        _(
            "时间：%(s)s 至 %(e)s（北京时间，法定节假日除外）",
            s=formatting.cst(_as_dt(f["doc_start_at"]), formatting.CHINESE_MINUTE),
            e=formatting.cst(_as_dt(f["doc_end_at"]), formatting.CHINESE_MINUTE),
        ),
        _("方式：%(v)s", v=f["doc_obtain_method"]),
        "",
        heading(_("提交投标文件截止时间、开标时间和地点")),
    ]
    for lot in lots:
        lines.append(
            _(
                "%(code)s：投标截止时间及开标时间 %(d)s（北京时间）；开标地点：%(p)s",
                code=lot["lot_code"],
                d=formatting.cst(_as_dt(lot["bid_deadline"]), formatting.CHINESE_MINUTE),
                p=lot["opening_place"] or _("本平台线上开标大厅"),
            )
        )
    lines += [
        _("递交方式：%(v)s", v=f["bid_submission"]),
        "",
        heading(_("公告期限")),
        _(
            "自本公告发布之日起至 %(e)s 止。",
            e=formatting.cst(_as_dt(f["doc_end_at"]), formatting.CHINESE_MINUTE),
        ),
    ]
    if f.get("remarks"):
        lines += ["", heading(_("其他补充事宜")), str(f["remarks"])]
    lines += [
        "",
        heading(_("对本次招标提出询问，请按以下方式联系")),
        *_contact_lines(f),
    ]
    return "\n".join(lines)


def render_single_source_body(
    f: Mapping[str, Any], lots: Sequence[Mapping[str, Any]], method: Method
) -> str:
    """单一来源采购公示: what is bought and from whom, why only from them, the experts'
    opinion, the period and how to object — no documents, deadline or opening to announce."""
    heading = section_numbers()
    lines = [
        _(
            "%(agency)s受%(purchaser)s委托，拟对%(name)s采用单一来源方式采购，现予公示。",
            agency=f["agency_name"],
            purchaser=f["purchaser_name"],
            name=f["project_name"],
        ),
        "",
        heading(_("项目信息")),
        _("项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]),
        _("项目名称：%(v)s", v=f["project_name"]),
        _("采购方式：%(v)s", v=method_label(method)),
        _("预算金额：%(v)s", v=yuan(Decimal(str(f["budget"])))),
        _("拟采购的货物或服务：%(v)s", v=f["requirements"]),
        "",
        heading(_("拟定的唯一供应商")),
        _("名称：%(v)s", v=f["supplier_name"]),
        _("地址：%(v)s", v=f.get("supplier_address") or "—"),
        "",
        heading(_("采用单一来源方式的理由")),
        str(f["single_source_reason"]),
        "",
        heading(_("专业人员论证意见")),
        str(f.get("expert_opinion") or _("无")),
        "",
        heading(_("公示期限")),
        _(
            "%(s)s 至 %(e)s（北京时间）。",
            s=formatting.cst(_as_dt(f["publicity_start"]), formatting.CHINESE_MINUTE),
            e=formatting.cst_until(_as_dt(f["publicity_end"]), formatting.CHINESE_MINUTE),
        ),
        "",
        heading(_("异议")),
        str(f["objection_how"]),
    ]
    if f.get("remarks"):
        lines += ["", heading(_("其他补充事宜")), str(f["remarks"])]
    lines += ["", heading(_("联系方式")), *_contact_lines(f)]
    return "\n".join(lines)


def objection_how() -> str:
    """How anyone objects to a publicity (单一来源): in writing, within the period."""
    return _(
        "任何供应商、单位或者个人对采用单一来源方式或拟定的供应商有异议的，可在公示期内登录本平台，"
        "在该标段页面提出书面异议并附理由，或以书面形式向下列采购人、采购代理机构提出。"
    )


# How a tender-kind notice's text is written, by the `bidding.notice_fields` entry its
# method reads it with (`bidding.methods.notice_field_kind`); the rest are tender notices.
TENDER_BODIES: dict[str, Callable[..., str]] = {
    "single_source_publicity": render_single_source_body,
}


def tender_body(entry: str) -> Callable[..., str]:
    return TENDER_BODIES.get(entry, render_tender_body)


def _contact_lines(f: Mapping[str, Any]) -> list[str]:
    return [
        _(
            "采购人：%(n)s　地址：%(a)s　联系人：%(c)s　电话：%(p)s",
            n=f["purchaser_name"],
            a=f["purchaser_address"] or "—",
            c=f["purchaser_contact"] or "—",
            p=f["purchaser_phone"] or "—",
        ),
        _(
            "采购代理机构：%(n)s　地址：%(a)s　联系人：%(c)s　电话：%(p)s",
            n=f["agency_name"],
            a=f["agency_address"] or "—",
            c=f["agency_contact"] or "—",
            p=f["agency_phone"] or "—",
        ),
    ]


def render_termination_body(f: Mapping[str, Any]) -> str:
    return "\n".join(
        [
            _("一、项目编号：%(c)s（交易编号 %(t)s）", c=f["project_code"], t=f["trade_id"]),
            _("二、项目名称：%(v)s", v=f["project_name"]),
            _("三、终止的标段（包）：%(c)s %(n)s", c=f["lot_code"], n=f["lot_name"]),
            _("四、终止原因：%(v)s", v=f["reason"]),
            # 招标投标法实施条例 第三十一条: those who obtained prequalification documents are
            # told, and the fee charged for them is refunded.
            _(
                "五、已获取资格预审文件或递交资格预审申请的潜在投标人，请关注后续公告；已收取的资格预审文件费用将予退还。"
            )
            if f.get("prequal_id")
            else _("五、已获取招标文件的供应商，请关注后续公告。"),
            "",
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
    )


def _as_dt(value: Any) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(str(value))
