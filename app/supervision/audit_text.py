"""How an audit entry reads in the audit browser: a sentence per action, its data as a
labelled list. Stored action names and data keys never change (they are hashed), so the
words live here, keyed by those names; `tests/admin/test_audit_text.py` keeps every action
constant of every package covered.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _

from app.core import formatting
from app.core.i18n import N_
from app.core.nav import ROLE_LABELS
from bidding import actions as lot_actions
from bidding.bids import actions as bid_actions
from bidding.invitations import actions as invitation_actions
from bidding.labels import (
    KIND_LABELS,
    METHOD_LABELS,
    STATUS_LABELS,
)
from bidding.plans import actions as plan_actions
from experts import actions as expert_actions
from experts.labels import EXPERT_STATUS, LOG_ACTION
from remote_eval import actions as eval_actions

ACTION_TEXT: dict[str, str] = {
    # Accounts and administration
    "auth.login": N_("登录"),
    "auth.logout": N_("退出登录"),
    "auth.login_failed": N_("登录失败"),
    "auth.login_locked": N_("多次登录失败，账户被锁定"),
    "auth.totp_enabled": N_("启用双因素认证"),
    "auth.totp_failed": N_("双因素验证码错误"),
    "auth.token_issued": N_("签发接口令牌"),
    "auth.token_revoked": N_("吊销接口令牌"),
    "auth.user_created": N_("创建用户"),
    "org.registered": N_("供应商注册"),
    "admin.centre_created": N_("创建交易中心"),
    "admin.centre_updated": N_("修改交易中心信息"),
    "admin.centre_settings": N_("修改交易中心设置"),
    "admin.holiday_added": N_("添加节假日"),
    "admin.holiday_removed": N_("删除节假日"),
    "admin.org_created": N_("创建单位"),
    "admin.org_blacklisted": N_("将单位列入黑名单"),
    "admin.org_blacklist_lifted": N_("解除单位黑名单"),
    "admin.user_activated": N_("启用用户"),
    "admin.user_deactivated": N_("停用用户"),
    "admin.user_password_reset": N_("重置用户密码"),
    "admin.user_logged_out": N_("强制用户下线"),
    "admin.user_role_changed": N_("变更用户角色"),
    "demo.centre_created": N_("演示数据：创建交易中心"),
    "demo.org_created": N_("演示数据：创建单位"),
    "demo.user_created": N_("演示数据：创建用户"),
    "demo.lot_stage": N_("演示数据：设定标段阶段"),
    # Projects, lots, notices, documents
    lot_actions.PROJECT_CREATED: N_("登记项目"),
    lot_actions.LOT_CREATED: N_("登记标段"),
    lot_actions.LOT_UPDATED: N_("修改标段"),
    lot_actions.LOT_PUBLISHED: N_("标段进入招标（招标公告发布）"),
    lot_actions.LOT_TERMINATED: N_("终止标段"),
    lot_actions.LOT_DEADLINE_MOVED: N_("顺延投标截止时间"),
    lot_actions.LOT_SUSPENDED: N_("暂停标段"),
    lot_actions.LOT_RESUMED: N_("恢复标段"),
    lot_actions.ANNOUNCEMENT_PUBLISHED: N_("发布公告"),
    lot_actions.TENDER_DOCUMENT_UPLOADED: N_("上传招标文件"),
    lot_actions.TENDER_DOCUMENT_DOWNLOADED: N_("下载招标文件"),
    lot_actions.QUESTION_ASKED: N_("提出疑问"),
    lot_actions.QUESTION_ANSWERED: N_("答复疑问"),
    lot_actions.OBJECTION_FILED: N_("提出异议"),
    lot_actions.OBJECTION_ANSWERED: N_("答复异议"),
    # Invitations (邀请招标)
    invitation_actions.INVITEES_RECOMMENDED: N_("书面推荐邀请供应商并发出投标邀请书"),
    invitation_actions.INVITEES_DRAWN: N_("从供应商库随机抽取邀请供应商并发出投标邀请书"),
    # Procurement plans
    plan_actions.PLAN_LINE_FILED: N_("采购人报送采购计划"),
    plan_actions.PLAN_LINE_RESUBMITTED: N_("采购人修改并重新报送采购计划"),
    plan_actions.PLAN_LINE_APPROVED: N_("财政部门备案采购计划"),
    plan_actions.PLAN_LINE_RETURNED: N_("财政部门退回采购计划"),
    plan_actions.PLAN_LINE_DRAWN: N_("项目使用采购计划额度"),
    plan_actions.PLAN_LINE_DRAW_REFUSED: N_("拒绝超出采购计划剩余额度的项目预算"),
    # Bonds, bids and the opening
    bid_actions.BOND_PAID: N_("登记投标保证金"),
    bid_actions.GUARANTEE_SUBMITTED: N_("提交保函"),
    bid_actions.BOND_ACCEPTED: N_("保证金审核通过"),
    bid_actions.BOND_REJECTED: N_("保证金审核不通过"),
    bid_actions.OPENING_KEY_CREATED: N_("生成开标密钥并分发分片"),
    bid_actions.UPLOAD_STARTED: N_("开始上传投标文件"),
    bid_actions.BID_SUBMITTED: N_("递交投标文件"),
    bid_actions.QUOTE_REFUSED: N_("拒绝再次报价或撤回报价（一次报价不得更改）"),
    bid_actions.BID_WITHDRAWN: N_("撤回投标文件"),
    bid_actions.BIDS_FROZEN: N_("投标截止，冻结投标文件"),
    bid_actions.LOT_RETENDERED: N_("重新招标"),
    bid_actions.OPENING_STARTED: N_("开标开始"),
    bid_actions.BIDDER_SIGNED_IN: N_("投标人签到"),
    bid_actions.SHARE_PRESENTED: N_("密钥保管人出示分片"),
    bid_actions.DECRYPTION_STARTED: N_("开始解密"),
    bid_actions.BID_DECRYPTED: N_("解密一份投标文件"),
    bid_actions.BID_REVOKED: N_("投标视为撤销"),
    bid_actions.BID_RETRACTED: N_("投标视为撤回"),
    bid_actions.OPENING_DECRYPTED: N_("全部投标文件解密完成"),
    bid_actions.LINE_CONFIRMED: N_("投标人确认唱标结果"),
    bid_actions.OBJECTION_RAISED: N_("开标现场提出异议"),
    bid_actions.OBJECTION_ANSWERED: N_("答复开标异议"),
    bid_actions.RECORD_SIGNED: N_("签署开标记录"),
    bid_actions.RECORD_PUBLISHED: N_("公布开标记录"),
    # Experts
    expert_actions.EXPERT_REGISTERED: N_("登记专家"),
    expert_actions.EXPERT_UPDATED: N_("修改专家信息"),
    expert_actions.EXPERT_STATUS_CHANGED: N_("变更专家状态"),
    expert_actions.POOL_IMPORTED: N_("导入专家"),
    expert_actions.EMPLOYMENT_ADDED: N_("登记专家工作经历"),
    expert_actions.RELATION_DECLARED: N_("登记专家利害关系"),
    expert_actions.LEAVE_ADDED: N_("登记专家请假"),
    expert_actions.CREDIT_RECORDED: N_("记录专家信用"),
    expert_actions.EXPERT_APPRAISED: N_("评价专家"),
    # Evaluation
    eval_actions.COMMITTEE_FORMED: N_("组建评标委员会"),
    eval_actions.MEMBER_ADDED: N_("增补评标委员会成员"),
    eval_actions.MEMBER_REPLACED: N_("候补专家替换成员"),
    eval_actions.IDENTITY_CONFIRMED: N_("核验成员身份"),
    eval_actions.MEMBER_SIGNED_IN: N_("成员签到"),
    eval_actions.COMMITMENT_SIGNED: N_("签署承诺书"),
    eval_actions.MEMBER_REMOVED: N_("移出评标委员会成员"),
    eval_actions.VOTE_CAST: N_("推选组长投票"),
    eval_actions.PHASE_ADVANCED: N_("评标进入下一阶段"),
    eval_actions.PAUSED: N_("暂停评标"),
    eval_actions.RESUMED: N_("恢复评标"),
    eval_actions.EXTENDED: N_("延长评标时间"),
    eval_actions.REQUEST_MADE: N_("提出需监督批准的申请"),
    eval_actions.REQUEST_DECIDED: N_("监督人员作出决定"),
    eval_actions.MESSAGE_POSTED: N_("评标室发言"),
    eval_actions.REFUSED: N_("拒绝一项不合规的操作"),
    eval_actions.VERDICT_RECORDED: N_("记录评审意见"),
    eval_actions.ITEM_DECIDED: N_("评审项形成结论"),
    eval_actions.DISSENT_WRITTEN: N_("书面保留不同意见"),
    eval_actions.CLARIFICATION_ASKED: N_("向投标人发出澄清"),
    eval_actions.CLARIFICATION_ANSWERED: N_("投标人答复澄清"),
    eval_actions.CLARIFICATION_JUDGED: N_("评审澄清答复"),
    eval_actions.SCORES_SAVED: N_("保存评分"),
    eval_actions.SHEET_SUBMITTED: N_("提交评分表"),
    eval_actions.SHEET_REOPENED: N_("退回评分表"),
    eval_actions.JUSTIFICATION_WRITTEN: N_("说明评分差异"),
    eval_actions.SUMMARY_LOCKED: N_("锁定评审汇总"),
    eval_actions.SCHEME_SAVED: N_("保存评分办法"),
    eval_actions.SCHEME_FROZEN: N_("评分办法随招标公告锁定"),
    eval_actions.AMENDMENT_PROPOSED: N_("提出评分办法修改"),
    eval_actions.AMENDMENT_WITHDRAWN: N_("撤回评分办法修改"),
    eval_actions.SCHEME_AMENDED: N_("评分办法随澄清修改"),
    eval_actions.SIGNING_KEY_REGISTERED: N_("登记签名密钥"),
    eval_actions.REPORT_GENERATED: N_("生成评标报告"),
    eval_actions.REPORT_SIGNED: N_("签署评标报告"),
    eval_actions.REPORT_REFUSED: N_("拒签评标报告"),
    # Bid bonds through sub-accounts
    "bid.bond.sub_account_issued": N_("开立保证金虚拟子账号"),
    "bid.bond.arrival_matched": N_("银行到账匹配至子账号"),
    "bid.bond.arrival_held": N_("银行到账暂挂待处理"),
    "bid.bond.arrival_credited": N_("暂挂到账计入保证金"),
    "bid.bond.arrival_returned": N_("暂挂到账退回付款人"),
    "bid.bond.refund_started": N_("保证金进入退还期"),
    "bid.bond.refund_done": N_("登记保证金已退还"),
    "bid.bond.refund_overdue": N_("保证金退还逾期"),
    "bond_account.statement_imported": N_("导入银行对账单"),
    "bond_account.bank_key_registered": N_("登记银行密钥"),
    "bond_account.bank_key_revoked": N_("吊销银行密钥"),
    "opening.bid_files_checked": N_("核对投标文件明文哈希"),
    "eval.bid_file_opened": N_("评委查阅投标文件"),
    "rooms.refused": N_("拒绝实时房间连接"),
    # Result stages
    "lot.evaluated": N_("评标结束，评标报告移交结果阶段"),
    "lot.result_failed": N_("评标后有效投标不足，标段废标"),
    "result.failure_published": N_("发布流标/废标公告"),
    lot_actions.DELETE_REFUSED: N_("拒绝删除已归档的记录"),
    "result.publicity_published": N_("发布中标候选人公示"),
    "result.publicity_late": N_("中标候选人公示逾期未发布"),
    "result.price_negotiated": N_("记录单一来源价格谈判"),
    "result_filing.filed": N_("提出异议、质疑或投诉"),
    "result_filing.answered": N_("答复异议、质疑或投诉"),
    "result_filing.reminded": N_("提醒答复期限"),
    "result_filing.late": N_("答复逾期"),
    "lot.awarded": N_("确定中标人"),
    "result_notice.issued": N_("发出中标通知书或结果通知书"),
    "contract.filed": N_("合同备案"),
    "contract.amended": N_("合同变更备案"),
    "contract.overdue": N_("合同逾期未备案"),
    # Supervision: attempts on sealed records, warnings and corrections
    lot_actions.SEALED_READ_REFUSED: N_("截止前试图查看保密记录（已拒绝）"),
    "warning.raised": N_("监察规则发出预警"),
    "warning.level_raised": N_("预警升为红色"),
    "warning.sent": N_("发出预警"),
    "warning.answered": N_("答复预警"),
    "warning.read": N_("阅读预警答复"),
    "warning.closed": N_("办结预警"),
    "warning.escalated": N_("预警逾期升级"),
    "warning.refused": N_("预警操作被拒绝"),
    "warning.correction_ordered": N_("责令纠错"),
    "warning.correction_done": N_("纠错完成"),
    "supervision.rule_failed": N_("监察规则运行异常"),
    "participation.refused": N_("拒绝受限或未受邀的单位下载招标文件或投标"),
    "credit.recorded": N_("登记信用记录"),
    "credit.lifted": N_("解除失信记录"),
    "inspection.item_added": N_("加入抽查事项"),
    "inspection.target_added": N_("加入检查对象名录"),
    "inspection.inspector_added": N_("加入检查人员名录"),
    "inspection.employer_added": N_("登记检查人员原工作单位"),
    "inspection.campaign_created": N_("创建双随机抽查活动"),
    "inspection.draw_committed": N_("承诺双随机抽取条件"),
    "inspection.draw_drawn": N_("双随机抽取完成"),
    "inspection.result_entered": N_("录入抽查结果"),
    "inspection.campaign_published": N_("公开抽查结果"),
    # Service ratings (好差评)
    "rating.given": N_("对交易服务作出评价"),
    "rating.defaulted": N_("评价期满未评价，系统默认好评"),
    "rating.follow_up_answered": N_("被评价方答复差评整改"),
    "rating.follow_up_closed": N_("监督人员办结差评整改"),
    # Intermediary services market (app/market/actions.py)
    "market.type_saved": N_("保存中介服务类别"),
    "market.agency_registered": N_("中介机构入驻"),
    "market.profile_saved": N_("保存中介机构资料"),
    "market.qualification_added": N_("登记中介机构资质"),
    "market.services_listed": N_("按资质有效期更新中介机构服务类别"),
    "market.agency_status": N_("暂停、清退或恢复中介机构"),
    "market.appeal_filed": N_("中介机构提出申诉"),
    "market.appeal_decided": N_("对中介机构申诉作出决定"),
    "market.need_posted": N_("发布中介服务需求"),
    "market.interest": N_("中介机构报名服务需求"),
    "market.bid_accepted": N_("网上竞价报价被接受"),
    "market.bid_refused": N_("网上竞价报价被拒绝"),
    "market.auction_extended": N_("网上竞价延时"),
    "market.auction_closed": N_("网上竞价结束"),
    "market.direct_refused": N_("拒绝直接选取"),
    "market.draw_committed": N_("承诺中介机构随机抽取"),
    "market.draw_revealed": N_("中介机构随机抽取结果与种子公开"),
    "market.awarded": N_("确定中介服务成交机构"),
    "market.contract_uploaded": N_("上传中介服务合同"),
    "market.completed": N_("确认中介服务完成"),
    "market.rated": N_("评价中介服务"),
    "market.rating_replied": N_("中介机构回复评价"),
    # Evaluation rooms, seats and assistance between centres
    "venue.saved": N_("保存评标室及工位"),
    "venue.published": N_("发布评标室"),
    "venue.unpublished": N_("停止发布评标室"),
    "venue.booked": N_("预约评标室工位"),
    "venue.booking_released": N_("释放工位预约"),
    "venue.lot_marked_remote": N_("标记为远程异地评标"),
    "venue.refused": N_("拒绝场地、预约或协助请求操作"),
    "venue.ready": N_("副场确认评委已就座并核验身份"),
    "venue.dropped": N_("评标场地连接中断"),
    "venue.reconnected": N_("评标场地恢复连接"),
    "venue.session_sealed": N_("评标中断超时，评标记录封存并签名"),
    "venue.handed_over": N_("副场移交评标资料"),
    "venue.handover_reminded": N_("提醒副场移交评标资料"),
    "venue.handover_late": N_("副场逾期未移交评标资料"),
    "venue.start_overdue": N_("评标超过规定时间未能开始，交采购人决定"),
    "venue.start_decided": N_("采购人决定推迟开始或重新安排评标"),
    "assistance.requested": N_("发出协助请求"),
    "assistance.accepted": N_("接受协助请求并预留工位"),
    "assistance.declined": N_("拒绝协助请求"),
    "assistance.expired": N_("协助请求逾期未答复"),
    "assistance.withdrawn": N_("撤回协助请求"),
    "experts.pool_shared": N_("发布共享专家与劳务费标准"),
}

AREA_TEXT: dict[str, str] = {
    "auth": N_("账户操作"),
    "admin": N_("系统管理操作"),
    "demo": N_("演示数据"),
    "bid": N_("投标操作"),
    "opening": N_("开标操作"),
    "experts": N_("专家操作"),
    "eval": N_("评标操作"),
    "scoring_scheme": N_("评分办法操作"),
    "warning": N_("监督预警操作"),
    "participation": N_("参与限制"),
    "credit": N_("信用记录操作"),
    "inspection": N_("双随机抽查操作"),
    "plan_line": N_("采购计划操作"),
}

OBJECT_TEXT: dict[str, str] = {
    "supervision_warning": N_("监督预警"),
    "supervision_rule": N_("监察规则"),
    "project": N_("项目"),
    "plan_line": N_("采购计划"),
    "lot": N_("标段"),
    "announcement": N_("公告"),
    "tender_document": N_("招标文件"),
    "document_download": N_("文件下载"),
    "doc_question": N_("疑问"),
    "doc_objection": N_("异议"),
    "bid": N_("投标文件"),
    "bid_bond": N_("保证金"),
    "bid_upload": N_("上传"),
    "lot_opening_key": N_("开标密钥"),
    "opening": N_("开标"),
    "opening_objection": N_("开标异议"),
    "expert": N_("专家"),
    "expert_draw": N_("专家抽取"),
    "expert_invitation": N_("专家邀请"),
    "expert_appraisal": N_("专家评价"),
    "scoring_scheme": N_("评分办法"),
    "eval_session": N_("评标"),
    "eval_report": N_("评标报告"),
    "user_account": N_("用户"),
    "organisation": N_("单位"),
    "centre": N_("交易中心"),
    "holiday": N_("节假日"),
    "api_token": N_("接口令牌"),
    "credit_record": N_("信用记录"),
    "price_negotiation": N_("价格谈判"),
    "inspection_item": N_("抽查事项"),
    "inspection_roster": N_("抽查名录"),
    "inspection_campaign": N_("双随机抽查活动"),
    "service_rating": N_("服务评价"),
    "rating_follow_up": N_("差评整改"),
}

KEY_TEXT: dict[str, str] = {
    "amount": N_("金额"),
    "budget_item_code": N_("预算项目编码"),
    "commitment": N_("种子承诺"),
    "invitees": N_("受邀供应商"),
    "picked": N_("抽中"),
    "pool": N_("供应商库"),
    "public_value": N_("公开随机值"),
    "short_reason": N_("不足邀请数量的理由"),
    "expected_month": N_("预计采购时间"),
    "funding_source": N_("资金来源"),
    "method_change_approved": N_("批准采用非公开招标方式"),
    "method_reason": N_("采购方式理由"),
    "plan_line_id": N_("采购计划"),
    "project_code": N_("项目编号"),
    "remaining": N_("剩余额度"),
    "returned_for": N_("此前的退回理由"),
    "used": N_("已用额度"),
    "announcement_id": N_("公告编号"),
    "answer_due_at": N_("答复期限"),
    "bid_deadline": N_("投标截止时间"),
    "bids": N_("投标文件"),
    "centre": N_("交易中心"),
    "centre_id": N_("交易中心"),
    "code": N_("编号"),
    "count": N_("数量"),
    "counts": N_("人数"),
    "credit_code": N_("统一社会信用代码"),
    "custodians": N_("密钥保管人"),
    "defaulted": N_("按默认处理"),
    "draw_id": N_("抽取编号"),
    "end": N_("结束"),
    "evaluation_at": N_("评标时间"),
    "failed": N_("流标"),
    "filename": N_("文件名"),
    "fingerprint": N_("指纹"),
    "from": N_("原状态"),
    "to": N_("新状态"),
    "groups": N_("抽取组"),
    "ip": N_("IP 地址"),
    "join": N_("是否参加"),
    "k": N_("解密所需分片数"),
    "n": N_("分片数"),
    "kind": N_("类型"),
    "level": N_("评价等级"),
    "list_hash": N_("名单哈希"),
    "lot": N_("标段"),
    "lot_id": N_("标段"),
    "lots": N_("标段"),
    "method": N_("采购方式"),
    "name": N_("名称"),
    "new": N_("新时间"),
    "old": N_("原时间"),
    "objection_id": N_("异议编号"),
    "overdue": N_("已逾期"),
    "pool_hashes": N_("专家池哈希"),
    "pool_sizes": N_("可抽专家数"),
    "previous_status": N_("原状态"),
    "project_id": N_("项目"),
    "purchaser_id": N_("采购人"),
    "rank": N_("序位"),
    "reason": N_("原因"),
    "reference": N_("流水号"),
    "replaces": N_("替换"),
    "request": N_("抽取条件"),
    "result_sha256": N_("结果哈希"),
    "role": N_("角色"),
    "seed": N_("随机种子"),
    "seed_hash": N_("种子哈希"),
    "sha256": N_("文件哈希"),
    "size": N_("大小（字节）"),
    "slot": N_("抽取组"),
    "start": N_("开始"),
    "status": N_("状态"),
    "supersedes_id": N_("更正的公告"),
    "supplier": N_("供应商"),
    "title": N_("标题"),
    "trade_id": N_("交易编号"),
    "username": N_("用户名"),
    "version": N_("版本"),
    "two_factor": N_("双因素认证"),
    "before": N_("修改前"),
    "after": N_("修改后"),
    "was_until": N_("原黑名单期限"),
    "epoch": N_("会话代次"),
    "user": N_("用户"),
    "message": N_("说明"),
    # Supervision's warnings and rules
    "rule": N_("监察规则"),
    "warning_level": N_("预警等级"),
    "run_outcome": N_("运行结果"),
    "what": N_("记录"),
    "responsible": N_("责任人"),
    "due": N_("期限"),
    "times": N_("次数"),
    "step": N_("环节"),
    "note": N_("意见"),
    "command": N_("操作"),
    "escalations": N_("升级次数"),
    "was": N_("原状态"),
    "activity": N_("操作"),
    "bars": N_("限制"),
    "not_invited": N_("未受邀请"),
    "bid_id": N_("投标文件"),
    "quoted_price": N_("响应报价"),
    "price": N_("价格"),
    "minutes": N_("谈判纪要"),
    "ranked_by": N_("排序规则"),
    "authority": N_("认定机关"),
    "organisation_id": N_("单位"),
    "item_ids": N_("抽查事项"),
    "target_count": N_("抽取检查对象数"),
    "inspector_count": N_("抽取检查人员数"),
    "team_size": N_("每组人数"),
    "teams": N_("检查分组"),
    "target_id": N_("检查对象"),
    "item_id": N_("抽查事项"),
    "outcome": N_("结论"),
    "user_id": N_("用户"),
    "source": N_("来源"),
    "report_sha256": N_("评标报告哈希"),
    "candidates": N_("中标候选人"),
    "rejected": N_("被否决的投标"),
    "publish_by": N_("公示发布期限"),
}
_HASHY = re.compile(r"^[0-9a-f]{32,}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
# Reasons the system writes as codes (a lot resumes when its objection is answered).
REASON_TEXT: dict[str, str] = {
    "objection_answered": N_("异议已答复"),
    "clarification": N_("澄清/更正"),
    "correction": N_("监督人员责令纠错"),
    "correction_done": N_("纠错完成"),
}
WARNING_VALUES: dict[str, dict[str, str]] = {
    "warning_level": {"yellow": N_("黄色预警"), "red": N_("红色预警")},
    "run_outcome": {"error": N_("运行出错"), "timeout": N_("超时被停止")},
    "what": {"bond_list": N_("投标保证金名单")},
    "step": {"pending": N_("待发出"), "sent": N_("待答复")},
    "command": {
        "send": N_("发出"),
        "answer": N_("答复"),
        "read": N_("已阅"),
        "close": N_("办结"),
        "correction": N_("责令纠错"),
        "correction_done": N_("纠错完成"),
    },
}


class _RuleLabels:
    """The registered rules' names for people, read from the registry when shown."""

    def __contains__(self, name: object) -> bool:
        from app.supervision.rules import RULE_FAILED, get_rule

        return isinstance(name, str) and (name == RULE_FAILED or get_rule(name) is not None)

    def __getitem__(self, name: str) -> Any:
        from app.supervision.rules import rule_label

        return rule_label(name)


# How a bank arrival reached the bond account (`bidding.bids.bond_models.ArrivalSource`).
SOURCE_TEXT: dict[str, str] = {
    "statement": N_("银行对账单"),
    "notice": N_("银行到账通知"),
}
_REFERENCE = re.compile(r"^([a-z_]+):(\d+)$")
ORG_KIND_TEXT: dict[str, str] = {
    "supplier": N_("供应商"),
    "agency": N_("代理机构"),
    "purchaser": N_("采购人/招标人"),
    "centre": N_("交易中心"),
    "authority": N_("行政监督部门"),
}
_VALUE_TABLES: dict[str, dict[str, Any]] = {
    "reason": REASON_TEXT,
    "kind": KIND_LABELS,
    "method": METHOD_LABELS,
    "status": STATUS_LABELS,
    "previous_status": STATUS_LABELS,
    "role": ROLE_LABELS,
    "was": STATUS_LABELS,
    "rule": _RuleLabels(),  # type: ignore[dict-item]
    **WARNING_VALUES,
}


def action_text(action: str) -> str:
    """The sentence for an action; an unknown one reads as its area, never as its name."""
    text = ACTION_TEXT.get(action)
    if text is None and action in LOG_ACTION:
        # The draws keep the words their draw log already uses.
        return str(LOG_ACTION[action])
    if text is None:
        text = AREA_TEXT.get(action.split(".", 1)[0], N_("其他操作"))
    return _(text)


def object_text(object_type: str, object_id: str) -> str:
    if not object_type:
        return ""
    name = _(OBJECT_TEXT[object_type]) if object_type in OBJECT_TEXT else _("记录")
    return f"{name} #{object_id}" if object_id else name


@dataclass(frozen=True)
class DataItem:
    label: str
    value: str


def _status_word(key: str, value: str) -> str | None:
    if key == "source":
        return _source_text(value)
    if key == "kind" and value in ORG_KIND_TEXT:
        return _(ORG_KIND_TEXT[value])
    if key in ("from", "to") and value in EXPERT_STATUS:
        return str(EXPERT_STATUS[value][0])
    table = _VALUE_TABLES.get(key)
    if table is None and key in ("from", "to"):
        table = STATUS_LABELS
    if table is not None and value in table:
        label = table[value]
        # The bidding tables hold msgids (N_), the role table lazy strings.
        return _(label) if isinstance(label, str) else str(label)
    return None


def _source_text(value: str) -> str | None:
    """Where a record came from: a stored reference "<object type>:<id>" (a lot's result
    names the evaluation report it was built from) reads as that object, a bank arrival's
    channel by its name."""
    if value in SOURCE_TEXT:
        return _(SOURCE_TEXT[value])
    m = _REFERENCE.match(value)
    if m is None:
        return None
    return object_text(m.group(1), m.group(2)) if m.group(1) in OBJECT_TEXT else _("记录")


def _value_text(key: str, value: Any) -> str:
    if value is None or value == "":
        return formatting.MISSING
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, str):
        word = _status_word(key, value)
        if word is not None:
            return word
        if _HASHY.match(value):
            return value[:16] + "…"
        if _ISO.match(value):
            try:
                return formatting.cst(dt.datetime.fromisoformat(value), formatting.SECOND)
            except ValueError:
                return value
        return value
    if isinstance(value, list):
        if all(isinstance(v, (int, float, str)) for v in value):
            return "、".join(_value_text(key, v) for v in value)
        return _("%(n)s 项", n=len(value))
    if isinstance(value, dict):
        english = str(get_locale()).startswith("en")
        colon, sep = (": ", "; ") if english else ("：", "；")
        return sep.join(f"{_key_text(k)}{colon}{_value_text(k, v)}" for k, v in value.items())
    return str(value)


def _key_text(key: str) -> str:
    return _(KEY_TEXT[key]) if key in KEY_TEXT else _("附加信息")


def data_items(data: str) -> list[DataItem]:
    """The entry's data as (label, value) pairs in the reader's language."""
    try:
        parsed = json.loads(data or "{}")
    except ValueError:
        return []
    if not isinstance(parsed, dict):
        return [DataItem(_("附加信息"), _value_text("", parsed))]
    return [DataItem(_key_text(k), _value_text(k, v)) for k, v in parsed.items()]


def known_actions() -> dict[str, str]:
    """Every action with words, for the filter's choices (sorted by the words)."""
    merged = {
        **{k: str(v) for k, v in LOG_ACTION.items()},
        **{k: _(v) for k, v in ACTION_TEXT.items()},
    }
    return dict(sorted(merged.items(), key=lambda kv: kv[1]))
