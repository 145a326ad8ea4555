"""Credit records (诚信): suppliers' and experts' records entered by supervisors, the 失信
bar on documents, bids and draws, and the public list of suppliers' records."""

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api as smorest
    from app.core.nav import register_nav
    from app.credit import api, models, records, views  # noqa: F401  (models: tables)
    from app.credit.policies import can_record_credit
    from bidding.hooks import register_participation_bar

    app.register_blueprint(views.bp)
    smorest.register_blueprint(api.blp)
    register_participation_bar(records.blacklist_bar)
    register_nav("credit.manage", _l("信用记录"), ["supervisor"], order=86, when=can_record_credit)
