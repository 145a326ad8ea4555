"""The evaluation's state machine: the phases in order, who may move them, and the checks.

Each phase has exit checks, registered by the module that owns the phase's work
(`register_exit_check`), so a rule about "when may the review end" lives beside the
review. `advance()` refuses with every unmet check in the user's language; a paused
session refuses every step. Moving a phase is one audited, versioned change followed by a
room event after commit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.errors import Conflict
from app.core.i18n import N_
from remote_eval.models import EvalSession, Phase

ORDER: tuple[Phase, ...] = (
    Phase.SIGNIN,
    Phase.COMMITMENT,
    Phase.ELECTION,
    Phase.REVIEW,
    Phase.SCORING,
    Phase.SUMMARY,
    Phase.SIGNING,
    Phase.DONE,
)

PHASE_LABELS: dict[Phase, str] = {
    Phase.SIGNIN: N_("签到"),
    Phase.COMMITMENT: N_("承诺与回避"),
    Phase.ELECTION: N_("推选组长"),
    Phase.REVIEW: N_("资格与符合性审查"),
    Phase.SCORING: N_("详细评审打分"),
    Phase.SUMMARY: N_("汇总与排序"),
    Phase.SIGNING: N_("评标报告签署"),
    Phase.DONE: N_("评标结束"),
}

# phase → checks returning the problems (messages) that keep the phase from ending
ExitCheck = Callable[[EvalSession], list[Any]]
_exit_checks: dict[Phase, list[ExitCheck]] = {}
# checks returning why the session takes no command at all (a sealed record), or None
Blocker = Callable[[EvalSession], Any]
_blockers: list[Blocker] = []


def register_blocker(check: Blocker) -> None:
    if check not in _blockers:
        _blockers.append(check)


def ensure_not_blocked(session: EvalSession) -> None:
    for check in _blockers:
        why = check(session)
        if why:
            raise Conflict(why)


def register_exit_check(phase: Phase, check: ExitCheck) -> None:
    _exit_checks.setdefault(phase, []).append(check)


def phase_label(phase: Phase | str) -> str:
    from flask_babel import gettext as _

    return _(PHASE_LABELS[Phase(phase)])


def uses_scores(session: EvalSession) -> bool:
    """Whether the session's method scores items (lowest-price methods go review → summary)."""
    from remote_eval import methods

    return methods.get(session.method).uses_scores


def next_phase(session: EvalSession) -> Phase:
    i = ORDER.index(session.phase)
    if i + 1 >= len(ORDER):
        raise Conflict(_l("评标已经结束。"))
    following = ORDER[i + 1]
    if following == Phase.SCORING and not uses_scores(session):
        following = Phase.SUMMARY
    return following


def ensure_phase(session: EvalSession, *phases: Phase) -> None:
    """Refuse a step out of order, or any step while the session is paused or sealed."""
    ensure_not_blocked(session)
    if session.paused:
        raise Conflict(_l("评标已暂停（%(r)s），恢复后才能继续。", r=session.pause_reason))
    if session.phase not in phases:
        raise Conflict(
            _l(
                "当前处于“%(now)s”阶段，不能进行此操作（应在“%(need)s”阶段）。",
                now=phase_label(session.phase),
                need="、".join(phase_label(p) for p in phases),
            )
        )


def exit_problems(session: EvalSession) -> list[Any]:
    problems: list[Any] = []
    for check in _exit_checks.get(session.phase, []):
        problems.extend(check(session))
    return problems


def move_to(session: EvalSession, phase: Phase) -> None:
    """Set the phase (callers check, audit and emit); a new phase starts its own clock."""
    session.phase = phase
    session.phase_started_at = clock.now()
    session.phase_due_at = None
    if phase == Phase.DONE:
        session.finished_at = clock.now()
