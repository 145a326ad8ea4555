"""单一来源: the reason and the one supplier are published for ≥5 working days for
objections; then the price is negotiated with that supplier and recorded."""

from app.core.i18n import N_
from bidding.methods import Audience, MethodRule, ResultRule, register
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
        ocds_method="direct",
        publicity_working_days=5,
        notice_fields=("single_source_reason", "supplier_name"),
    )
)
