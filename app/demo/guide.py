"""What the seed prints when it is done: the counts, the accounts and where to look."""

from __future__ import annotations

from typing import Any

import click

from app.demo.accounts import DEMO_PASSWORD, account_lines, signing_passphrase
from app.demo.catalogue import EVAL_LOTS

# Shown by the seed and by `flask serve`: who to log in as for what.
DEMO_GUIDE: list[str] = [
    "wlcb_staff / my_staff（代理机构经办人）→ “项目管理”：各阶段的项目、招标文件、澄清、答疑、异议、保证金（投标截止后方可查看）",
    "supplier01（内蒙古蒙电信息技术有限公司）→ “集宁区智慧校园安防系统建设项目”正在投标："
    "招标文件可下载，保证金已通过本标段的虚拟子账号到账确认，可在浏览器中加密递交投标文件",
    "开标大厅：“乌兰察布市中心医院物业管理服务采购项目”刚刚截止，已冻结 4 家投标；"
    "投标人 supplier08 / supplier10 / supplier03 / supplier18 签到（截止后 60 分钟内），"
    "密钥保管人任意 2 人出示分片后解密",
    "密钥保管人口令：wlcb_staff → kaibiao-wlcb-staff，wlcb_super → kaibiao-wlcb-super，"
    "wlcb_centre → kaibiao-wlcb-centre",
    "“察右前旗农村牧区道路硬化工程”投标人不足 3 家，已流标（可重新招标）",
    "expert001（评标专家）→ “我的邀请”：明日物业管理服务评标的邀请（2 小时内答复）",
    "wlcb_centre / my_centre（交易中心工作人员）→ 专家库（64 位专家）与专家抽取记录；"
    "“保证金账户”：导入银行对账单、处理未匹配的到账、核验保函、登记退还",
    "wlcb_buyer1（采购人经办人）→ “采购计划”：已备案的计划及各项目使用的额度，"
    "一条被财政部门退回待修改（工作台待办）；wlcb_super（财政部门/监督人员）→ 一条待审核的采购计划",
    "wlcb_staff → “乌兰察布市第一中学风雨操场改造工程”（邀请招标）：已从供应商库随机抽取 3 家并发出投标邀请书，"
    "名单投标截止前对代理机构保密（wlcb_super 可见）；“乌兰察布市政务服务中心办公家具询价采购”（询价）待设定时间后发布"
    "（两者的采购意向已公开满 30 日）",
    "“乌兰察布市中心医院核磁共振设备原厂维保项目”（单一来源）：公示（理由与唯一供应商）昨日发布，"
    "5 个工作日内任何供应商可在标段页面提出异议（如 supplier01）",
    "wlcb_staff → “乌兰察布市第一中学综合楼建设工程”（邀请招标，资格预审）：资格预审公告已发布，"
    "3 家已递交申请，申请人名单截止前保密（wlcb_super 可见）；其他供应商（如 supplier01）"
    "可在“资格预审”菜单下载资格预审文件并在线递交申请",
    "wlcb_super / my_super（监督人员）→ 审计日志、开标与抽取的全程记录、保证金同源预警",
    "“评标结果”：“察右前旗人民医院医疗设备采购项目”中标候选人公示中，有 1 件异议（第二中标候选人提出）"
    "待 wlcb_staff 答复；“集宁区教育局校车租赁服务项目”已定标、合同已备案，并已生成项目档案",
    "门户首页：采购意向、招标、澄清/更正、中标候选人公示、中标结果、合同、终止公告（可搜索“施工”“医疗”“物业”）",
    "“信用信息”（门户）：supplier12（卓资县顺达运输有限公司）被列入失信名单两年，登录后下载招标文件、投标均被拒绝并说明原因；"
    "wlcb_super →“信用记录”登记或解除（专家的记录不公开）",
    "wlcb_super →“双随机抽查”：第三季度抽查已公开结果（门户 /inspections/public/），第四季度抽查已抽取、"
    "结果待检查组在工作台录入；`flask --app wsgi inspections verify-draw 编号` 或 scripts/verify_draw.py 复核抽取",
    "中介超市（/market/）：6 家中介机构（agency01–agency06，环评、安评、资产评估、测绘、造价、审计），"
    "agency04 的造价资质已过期、该类别自动隐藏；已结束的网上竞价（2 次延时）、随机抽取（可下载记录复核）、"
    "直接选取，均已评价",
    "网上竞价：“集宁区第三小学运动场改造项目环境影响评价”于播种后 10 分钟开始、60 分钟结束（截止前 5 分钟内报价延长 5 分钟）；"
    "agency01 与 agency02 各开一个浏览器窗口进入“服务需求与竞价”→ 竞价室报价，"
    "采购人 wlcb_buyer →“我的服务需求”观看并在结束后确认成交、上传合同、确认完成、评价",
    "综合评审（密封报价）：“集宁区职业教育中心实训楼建设项目环境影响评价”，agency01–agency03 在截止前"
    "提交了密封报价，昨日截止后已开启；评审小组为采购单位的 3 个账号 wlcb_buyer、wlcb_buyer1（已评分）、"
    "wlcb_reviewer：wlcb_buyer 与 wlcb_reviewer 在工作台“请为综合评审评分”进入评分，"
    "全部评分后 wlcb_buyer 确认评审结果并公布",
]


def _seats(members: list[Any], venue: int) -> str:
    here = sorted((m for m in members if m.venue_centre_id == venue), key=lambda m: m.seat)
    return "、".join(f"{m.user.username}（{m.seat}）" for m in here)


def evaluation_guide() -> list[str]:
    """Who plays which part of the demo's evaluation room: the drawn experts differ from
    one seed to the next, so this is read from the database (empty when not seeded)."""
    from sqlalchemy import select
    from sqlalchemy.exc import SQLAlchemyError

    from app.core.extensions import db
    from bidding.models import Lot
    from remote_eval.models import EvalSession, MemberStatus

    names = [spec[1] for spec in EVAL_LOTS]
    try:
        rows = db.session.execute(
            select(EvalSession, Lot)
            .join(Lot, Lot.id == EvalSession.lot_id)
            .where(Lot.name.in_(names))
        ).all()
    except SQLAlchemyError:
        db.session.rollback()
        return []
    found = {lot.name: (session, lot) for session, lot in rows}
    lines: list[str] = []
    if names[0] in found:
        session, lot = found[names[0]]
        members = [m for m in session.members if m.status != MemberStatus.REMOVED]
        main = session.main_centre_id
        second = next((m.venue_centre_id for m in members if m.venue_centre_id != main), main)
        lines += [
            f"评标室（远程异地评标）：“{lot.project.name}”已开标，评标委员会 5 人处于签到阶段，"
            f"页面 /evaluations/{session.id}。每个账号各用一个浏览器窗口（普通窗口 + 无痕窗口，"
            "或几个浏览器配置文件），同一窗口只能登录一人",
            f"主场（乌兰察布）：主持人 wlcb_staff 推进阶段；场地工作人员 wlcb_centre 核验身份；"
            f"评委 {_seats(members, main)}",
            f"副场（绵阳）：场地工作人员 my_centre 核验身份，本场评委签到后点“确认本场地评委已就座并核验身份”"
            f"（主持人须等副场确认后才能开始）；评委 {_seats(members, second)}",
            f"评标场地：/lots/{lot.id}/venues（wlcb_staff：主场工位预约与发给绵阳的协助请求，已接受）；"
            "/venues（wlcb_centre / my_centre：本中心评标室、可用日历、共享专家与劳务费标准）；"
            f"专家劳务费表 /lots/{lot.id}/expert-fees（CSV、PDF）",
            "场地视频：wlcb_centre 与 my_centre 打开的评标室页面就是本场地终端（浏览器询问时允许"
            "使用摄像头和麦克风），推送画面并分段上传录像；主持人 wlcb_staff 与两地监督人员"
            " wlcb_super、my_super 的评标室页面顶部是各场地的实时画面；同一台电脑无需 STUN/TURN"
            "（跨网络部署见 README 的 coturn 说明）",
            "评委与工作人员登录都要两步验证码：`flask --app wsgi users totp 账号`"
            "（或把上面的 TOTP 密钥加入验证器应用）；签署评标报告时每位评委自设签名口令，"
            f"例如 {signing_passphrase('账号')}；供应商的澄清答复在其“评标澄清”页面",
        ]
    if names[1] in found:
        session, lot = found[names[1]]
        lines.append(
            f"已结束的评标：“{lot.project.name}”评标报告已由 5 位评委签名"
            f"（签名口令 {signing_passphrase('账号')}），/evaluations/{session.id}/report；"
            "导出 JSON 后 `flask --app wsgi eval verify-report 文件` 或 "
            "`python scripts/verify_report.py 文件` 离线验证"
        )
    if len(names) > 2 and names[2] in found:
        lines += _negotiation_guide(*found[names[2]])
    return lines


def _negotiation_guide(session: Any, lot: Any) -> list[str]:
    """Two windows: the negotiation group's leader and one supplier."""
    from remote_eval.negotiation import state

    leader = next((m for m in session.members if m.id == session.leader_id), None)
    waiting = [
        b
        for b in state.remaining_bids(session)
        if (rnd := state.open_round(session)) is not None and state.quote_in(rnd, b) is None
    ]
    supplier = next((u for b in waiting for u in state.supplier_users(b)), None)
    if leader is None or supplier is None:
        return []
    return [
        f"竞争性谈判：“{lot.project.name}”第 1 轮已结束、各家报价已同时开启，需求已书面变更，第 2 轮进行中。"
        f"窗口一：谈判小组组长 {leader.user.username}（两步验证码 `flask --app wsgi users totp "
        f"{leader.user.username}`）打开 /evaluations/{session.id}/negotiation，选择供应商单独对话、"
        "结束本轮后同时看到全部报价，再“开始最后报价”并结束；窗口二（无痕窗口）：供应商 "
        f"{supplier.username}（{supplier.organisation.name if supplier.organisation else ''}）"
        "→ 菜单“谈判”，密封提交第 2 轮报价和最后报价，与谈判小组对话；最后报价开启后回到评标室"
        f" /evaluations/{session.id} 完成审查并按最后报价汇总",
    ]


def echo_summary(counts: dict[str, int], invited: list[str]) -> None:
    """Print what was built and how to explore it."""
    click.echo(
        f"Demo data: {counts['centres']} centres, {counts['suppliers']} suppliers, "
        f"{counts['experts']} experts, {counts['lots']} lots, "
        f"{counts['announcements']} announcements."
    )
    click.echo(f"Every demo account's password: {DEMO_PASSWORD}")
    for line in account_lines():
        click.echo(line)
    click.echo("Demo guide:")
    for line in [*DEMO_GUIDE, *evaluation_guide()]:
        click.echo(f"  · {line}")
    # The guide already sends readers to expert001; name the others when it was not drawn.
    if invited and "expert001" not in invited:
        click.echo(f"  · 本次被邀请的评标专家：{'、'.join(invited)}")
