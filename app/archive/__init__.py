"""Project archives (项目档案): a signed, self-verifying ZIP of everything about a lot."""

from typing import Any


def init_app(app: Any) -> None:
    from app.archive import models  # noqa: F401  (tables)
