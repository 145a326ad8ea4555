"""公开招标: any registered supplier obtains the documents and bids; ≥20 days from the first
issue of documents to the deadline (招标投标法 第二十四条), documents on offer ≥5 working days."""

from app.core.i18n import N_
from bidding.methods import TENDER_WORDS, Audience, MethodRule, ResultRule, register
from bidding.models import Method

RULE = register(
    MethodRule(
        method=Method.OPEN,
        is_tendering=True,
        response_in_working_days=False,
        has_document_window=True,
        audience=Audience.REGISTERED,
        min_suppliers=3,
        responses_replaceable=True,
        result_rule=ResultRule.COMPREHENSIVE,
        notice_word=N_("招标公告"),
        result_words=TENDER_WORDS,
        candidate_publicity=True,
        result_basis=N_("经评标委员会评审、中标候选人公示"),
        ocds_method="open",
    )
)
