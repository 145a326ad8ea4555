"""Supervision in the demo: the rules swept over the finished world, at the real time.

The world already holds what should light them, built through the services: two bidders
of the lot waiting for its committee uploaded from one office with prices in arithmetic
progression (world_eval.py, `collusive=True`), a member far from the panel on the
evaluated lot (world_eval.py `_score`), an awarded lot of Mianyang whose contract is
overdue (world_results.py); every other lot bids from its own office at uneven prices
and stays green.
"""

from __future__ import annotations

from typing import Any

from app.core import clock
from app.demo.context import World


def sweep(world: World) -> dict[str, Any]:
    from app.supervision import runner

    report = runner.run(now=clock.now())
    return report.as_dict()
