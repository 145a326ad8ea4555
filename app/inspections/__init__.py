"""Random inspections (双随机、一公开): inspection lists, campaigns drawn verifiably, results
entered per target and item and published on the portal."""

from typing import Any


def init_app(app: Any) -> None:
    from app.inspections import models  # noqa: F401  (tables)
