"""Evaluation rooms and seats of each centre, bookings for a lot's evaluation, and
assistance requests between centres for remote cross-region evaluation (远程异地评标)."""

from __future__ import annotations

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.core.rooms import register_room_policy
    from bidding import hooks
    from remote_eval.venues import api as venue_api
    from remote_eval.venues import (  # noqa: F401  (start registers the start gate)
        bookings,
        faults,
        jobs,
        models,
        policies,
        start,
        video,
        video_api,
        video_views,
        views,
        workbench,
    )

    app.register_blueprint(views.bp)
    api.register_blueprint(venue_api.blp)
    api.register_blueprint(video_api.blp)
    register_room_policy(video.RTC, video.may_join_inbox)
    hooks.register_lot_terminated(bookings.release_for_lot)
    hooks.register_lot_rescheduled(bookings.release_for_lot)
    jobs.register(app)
    # The room's panels show the venues' states without importing this package.
    app.add_template_global(views.session_venues_panel, "eval_venue_panel")
    app.add_template_global(video_views.video_panel, "eval_video_panel")
    app.after_request(video_views.allow_camera_in_room)
    app.add_template_global(video_views.recordings_panel, "eval_recordings_panel")
    workbench.register()
    register_nav(
        "venues.index",
        _l("评标场地"),
        ("staff", "supervisor"),
        order=28,
        when=policies.may_open_venues,
    )
