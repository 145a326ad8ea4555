"""单一来源: the reason and the one supplier are published for ≥5 working days for
objections; then the price is negotiated with that supplier and recorded."""

from app.core.i18n import N_
from bidding.methods import DEAL_WORDS, Audience, MethodRule, ResultRule, register
from bidding.models import Method

RULE = register(
    MethodRule(
        method=Method.SINGLE_SOURCE,
        is_tendering=False,
        response_in_working_days=True,
        has_document_window=False,
        audience=Audience.NAMED,
        min_suppliers=1,
        responses_replaceable=True,
        result_rule=ResultRule.NEGOTIATED,
        notice_word=N_("单一来源采购公示"),
        result_words=DEAL_WORDS,
        candidate_publicity=False,
        result_basis=N_("经单一来源采购公示及价格谈判"),
        ocds_method="direct",
        publicity_working_days=5,
        # What a 单一来源公示 carries (政府采购非招标采购方式管理办法): the reason,
        # the proposed supplier's name and address, the experts' opinion if any; the
        # project, the period and the contacts come with every notice.
        notice_fields=(
            "single_source_reason",
            "supplier_name",
            "supplier_address",
            "expert_opinion",
        ),
        notice_field_kinds=(("tender", "single_source_publicity"),),
    )
)
