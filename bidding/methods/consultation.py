"""竞争性磋商: like negotiation, but first responses due ≥10 days after the documents go
out, and the result by comprehensive scoring."""

from app.core.i18n import N_
from bidding.methods import DEAL_WORDS, Audience, MethodRule, ResultRule, register
from bidding.models import Method

RULE = register(
    MethodRule(
        method=Method.CONSULTATION,
        is_tendering=False,
        response_in_working_days=False,
        has_document_window=False,
        audience=Audience.REGISTERED,
        min_suppliers=3,
        responses_replaceable=True,
        result_rule=ResultRule.COMPREHENSIVE,
        notice_word=N_("竞争性磋商公告"),
        result_words=DEAL_WORDS,
        candidate_publicity=False,
        result_basis=N_("经磋商小组磋商、评审"),
        ocds_method="limited",
        negotiates_in_rounds=True,
    )
)
