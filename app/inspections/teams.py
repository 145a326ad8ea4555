"""Pure rule: from a campaign's draw to its inspection teams, with avoidance.

No database: `flask inspections verify-draw` recomputes the teams from the exported record
with this same function, so anyone holding the record can check them too.

The draw ranks the whole inspector list; the first `inspector_count` are drawn, the rest
wait in drawn order. Each drawn target, in drawn order, gets `team_size` drawn inspectors
who never worked for it (the committed `avoid` pairs), least loaded first, then earliest
drawn; only when too few drawn inspectors may go does the next waiting one join the drawn.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class TeamShortfall(ValueError):
    """A target for which the inspector list has too few who may inspect it."""

    def __init__(self, target_id: int, available: int) -> None:
        super().__init__(f"target {target_id}: {available} inspectors may inspect it")
        self.target_id = target_id
        self.available = available


def assign(
    targets: Sequence[int],
    drawn: Sequence[int],
    waiting: Sequence[int],
    team_size: int,
    avoid: Iterable[Sequence[int]],
) -> list[dict[str, Any]]:
    """[{"target_id", "inspector_ids"}] for each target in order (see the module doc)."""
    barred = {(int(i), int(t)) for i, t in avoid}
    active = list(drawn)
    queue = list(waiting)
    load = {i: 0 for i in active}
    teams: list[dict[str, Any]] = []
    for t in targets:
        free = [i for i in active if (i, t) not in barred]
        team = sorted(free, key=lambda i: (load[i], active.index(i)))[:team_size]
        while len(team) < team_size:
            called = next((i for i in queue if (i, t) not in barred), None)
            if called is None:
                raise TeamShortfall(t, len(team))
            queue.remove(called)
            active.append(called)
            load[called] = 0
            team.append(called)
        for i in team:
            load[i] += 1
        teams.append({"target_id": t, "inspector_ids": team})
    return teams
