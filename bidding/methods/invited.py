"""邀请招标: ≥3 invited suppliers, chosen by prequalification, a random draw from the
supplier library or written recommendation; only invitees obtain documents and bid; the
bid period is the open tender's (≥20 days)."""

from app.core.i18n import N_
from bidding.methods import TENDER_WORDS, Audience, MethodRule, ResultRule, register
from bidding.models import Method

RULE = register(
    MethodRule(
        method=Method.INVITED,
        is_tendering=True,
        response_in_working_days=False,
        has_document_window=True,
        audience=Audience.INVITEES,
        min_suppliers=3,
        responses_replaceable=True,
        result_rule=ResultRule.COMPREHENSIVE,
        notice_word=N_("投标邀请书"),
        result_words=TENDER_WORDS,
        candidate_publicity=True,
        result_basis=N_("经评标委员会评审、中标候选人公示"),
        ocds_method="selective",
    )
)
