"""Expert pool, specialties, avoidance, verifiable draws, invitations, appraisal and credit."""

from __future__ import annotations

from typing import Any

# Tunables a deployment may override (TENDERHALL_EXPERT_*); centres override the cap in
# their settings as "max_sittings_per_purchaser".
DEFAULTS: dict[str, Any] = {
    "EXPERT_DRAW_WINDOW_HOURS": 24,  # a draw may run at most this long before the evaluation
    "EXPERT_MIN_RESERVES": 2,
    "EXPERT_ANSWER_HOURS": 2,  # time an invited expert has to answer
    "EXPERT_MAX_SITTINGS_PER_PURCHASER": 3,  # per rolling 12 months
    "EXPERT_AVOID_PAST_YEARS": 3,
    "EXPERT_SIGNIN_EARLY_MINUTES": 60,
    "EXPERT_REVEAL_AFTER_HOURS": 24,
    "EXPERT_SMS_BACKEND": "log",
    "EXPERT_SMS_LOG_PATH": None,
}


def init_app(app: Any) -> None:
    from experts import models  # noqa: F401  (tables)

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    from app.core.extensions import api
    from experts import api as experts_api
    from experts import jobs, views
    from experts.cli import experts_cli

    app.register_blueprint(views.bp)
    api.register_blueprint(experts_api.blp)
    app.cli.add_command(experts_cli)
    jobs.register(app)
