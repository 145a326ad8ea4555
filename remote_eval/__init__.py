"""The lot's scoring scheme and its evaluation: committees, venues, review and scoring,
reports and signatures; the rooms websockets server."""

from typing import Any


def init_app(app: Any) -> None:
    from remote_eval import models  # noqa: F401  (tables)
    from remote_eval.cli import eval_cli
    from remote_eval.ws import rooms_cli

    app.cli.add_command(rooms_cli)
    app.cli.add_command(eval_cli)
    _init_schemes(app)
    _init_evaluation(app)
    from remote_eval import venues

    venues.init_app(app)


def _init_schemes(app: Any) -> None:
    """The lot's scoring scheme: editor pages, API, and its place in the lot's lifecycle."""
    from app.core.extensions import api
    from bidding import hooks
    from remote_eval import api as scheme_api
    from remote_eval import schemes, views
    from remote_eval.scheme import num

    app.register_blueprint(views.bp)
    api.register_blueprint(scheme_api.blp)
    hooks.register_before_tender_published(schemes.freeze_for_tender)
    hooks.register_clarification_addendum(schemes.clarification_addendum)
    hooks.register_clarification_published(schemes.apply_amendment)
    # Bidding's supplier and announcement pages show the published scheme without
    # importing this package: they call this global when it is defined.
    app.add_template_global(views.scheme_table, "scoring_scheme_table")
    app.add_template_filter(num, "scheme_num")


def _init_evaluation(app: Any) -> None:
    """The evaluation room: its API, room policy, phase checks and sweeps."""
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.core.rooms import register_room_policy
    from experts import invitations as expert_invitations
    from remote_eval import (
        committee,  # noqa: F401  (registers the sign-in and commitment exit checks)
        election,  # noqa: F401  (registers the election's exit check)
        jobs,
        report_api,  # its services register the signing phase's exit check
        report_columns,
        report_views,
        review_api,  # its services register the review, scoring and summary exit checks
        room_views,
        session_api,
        workbench,
    )
    from remote_eval.policies import EVAL, may_join_eval

    api.register_blueprint(session_api.blp)
    api.register_blueprint(review_api.blp)
    api.register_blueprint(report_api.blp)
    app.register_blueprint(report_views.bp)
    app.add_template_global(report_columns.ranking_tables, "eval_report_tables")
    register_room_policy(EVAL, may_join_eval)
    # After the evaluation time the draw calls reserves only while the committee sits.
    expert_invitations.register_sitting_check(committee.is_sitting)
    # A committee sealed after a long break releases its draw: the lot may draw anew.
    from experts import draws as expert_draws

    expert_draws.register_released_check(committee.root_of_sealed_session)
    jobs.register(app)
    workbench.register()
    app.register_blueprint(room_views.bp)
    register_nav("eval_room.index", _l("我的评标"), ("expert",), order=21)
    register_nav("eval_room.index", _l("评标室"), ("staff", "supervisor"), order=27)
    register_nav("eval_room.bidder_clarifications", _l("评标澄清"), ("supplier",), order=23)
    _init_negotiation(app)


def _init_negotiation(app: Any) -> None:
    """竞争性谈判 / 竞争性磋商 in rounds: pages, API, the suppliers' rooms, the review's check."""
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.core.rooms import register_room_policy
    from remote_eval.negotiation import api as nego_api
    from remote_eval.negotiation import events, models, queries, rounds, views  # noqa: F401
    from remote_eval.negotiation import workbench as nego_workbench

    api.register_blueprint(nego_api.blp)
    app.register_blueprint(views.bp)
    register_room_policy(events.NEGO, events.may_join)
    nego_workbench.register()
    register_nav(
        "negotiation.supplier_index",
        _l("谈判"),
        ("supplier",),
        order=24,
        when=lambda user: bool(queries.supplier_negotiations(user)),
    )
