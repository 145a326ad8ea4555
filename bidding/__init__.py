"""Projects, lots, announcements, tender documents, clarifications, objections, bids, opening."""

from typing import Any


def init_app(app: Any) -> None:
    from bidding import models  # noqa: F401  (tables)
    from bidding.bids import models as bid_models  # noqa: F401
