"""竞争性谈判: ≥3 suppliers; first responses due ≥3 working days after the documents go out;
the group negotiates with each supplier separately in rounds; the lowest final price that
meets the requirements wins."""

from app.core.i18n import N_
from bidding.methods import DEAL_WORDS, Audience, MethodRule, ResultRule, register
from bidding.models import Method

RULE = register(
    MethodRule(
        method=Method.NEGOTIATION,
        is_tendering=False,
        response_in_working_days=True,
        has_document_window=False,
        audience=Audience.REGISTERED,
        min_suppliers=3,
        responses_replaceable=True,
        result_rule=ResultRule.LOWEST_PRICE,
        notice_word=N_("竞争性谈判公告"),
        result_words=DEAL_WORDS,
        candidate_publicity=False,
        result_basis=N_("经谈判小组谈判、评审"),
        ocds_method="limited",
        negotiates_in_rounds=True,
    )
)
