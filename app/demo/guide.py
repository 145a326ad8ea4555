"""What the seed prints when it is done: the counts, the accounts and where to look."""

from __future__ import annotations

import click

from app.demo.accounts import DEMO_PASSWORD, account_lines

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
    "wlcb_super / my_super（监督人员）→ 审计日志、开标与抽取的全程记录、保证金同源预警",
    "“评标结果”：“察右前旗人民医院医疗设备采购项目”中标候选人公示中，有 1 件异议（第二中标候选人提出）"
    "待 wlcb_staff 答复；“集宁区教育局校车租赁服务项目”已定标、合同已备案，并已生成项目档案",
    "门户首页：采购意向、招标、澄清/更正、中标候选人公示、中标结果、合同、终止公告（可搜索“施工”“医疗”“物业”）",
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
    for line in DEMO_GUIDE:
        click.echo(f"  · {line}")
    # The guide already sends readers to expert001; name the others when it was not drawn.
    if invited and "expert001" not in invited:
        click.echo(f"  · 本次被邀请的评标专家：{'、'.join(invited)}")
