"""询价: first responses due ≥3 working days after the notice; one sealed quote per
supplier that cannot be changed; the lowest price meeting the requirements wins."""

from app.core.i18n import N_
from bidding.methods import DEAL_WORDS, Audience, MethodRule, ResultRule, register
from bidding.models import Method

RULE = register(
    MethodRule(
        method=Method.INQUIRY,
        is_tendering=False,
        response_in_working_days=True,
        has_document_window=False,
        audience=Audience.REGISTERED,
        min_suppliers=3,
        responses_replaceable=False,
        result_rule=ResultRule.LOWEST_PRICE,
        notice_word=N_("询价公告"),
        result_words=DEAL_WORDS,
        candidate_publicity=False,
        result_basis=N_("经询价小组评审"),
        ocds_method="selective",
    )
)
