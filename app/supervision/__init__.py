"""Supervision (电子监察): live monitoring of every lot, the rules registry and its runner,
warnings and corrections, the collusion screens and the audit log browser."""

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.core.rooms import register_room_policy
    from app.core.scheduler import register_job
    from app.supervision import api as supervision_api
    from app.supervision import (
        events,
        live,
        models,
        ratings,
        statistics,
        views,
        warning_api,
        warning_views,
        workbench,
    )
    from app.supervision.cli import supervision_cli
    from app.supervision.jobs import sweep
    from app.supervision.rules import load_builtin
    from bidding import hooks

    del models  # imported for its tables
    load_builtin()
    app.register_blueprint(views.bp)
    app.register_blueprint(warning_views.bp)
    api.register_blueprint(supervision_api.blp)
    api.register_blueprint(warning_api.blp)
    app.cli.add_command(supervision_cli)
    register_room_policy(live.SUPERVISION, live.may_join)
    hooks.register_lot_event(events.on_lot_event)
    hooks.register_lot_awarded(events.on_awarded)
    hooks.register_contract_signed(events.on_contract_signed)
    hooks.register_suspension_hold(events.correction_holds)
    register_job("supervision.sweep", sweep, int(app.config.get("SUPERVISION_SWEEP_SECONDS", 600)))
    workbench.register()
    statistics.init_app(app)
    ratings.init_app(app)
    register_nav("supervision.dashboard", _l("监督看板"), ["supervisor"], order=80)
    register_nav(
        "supervision_warnings.index",
        _l("监督预警"),
        ["supervisor", "staff", "admin"],
        order=81,
        when=warning_views.may_see_warnings,
    )
    register_nav("supervision.bond_signals", _l("保证金同源预警"), ["supervisor"], order=82)
    register_nav("supervision.audit", _l("审计日志"), ["supervisor", "admin"], order=85)
