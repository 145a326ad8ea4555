"""The room page's video: the wall of every venue (host, supervisors) or the venue's own
terminal (its centre's staff), and the room record's list of recordings."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request
from flask_login import current_user
from markupsafe import Markup

from remote_eval.venues import recordings, start, video


def video_panel(session: Any) -> Markup:
    """Rendered once with the page, outside the panels that re-render on each event, so
    the live video elements are never replaced."""
    if not start.is_remote_session(session) or not video.in_room(current_user, session):
        return Markup("")
    return Markup(
        render_template(
            "venues/_video.html",
            session=session,
            video=video.state(session, current_user),
        )
    )


def recordings_panel(session: Any) -> Markup:
    if not start.is_remote_session(session) or not video.in_room(current_user, session):
        return Markup("")
    rows = recordings.listing(session)
    if not rows:
        return Markup("")
    mine = video.terminal_centre(session, current_user)
    viewer = video.is_viewer(current_user, session)
    return Markup(
        render_template(
            "venues/_recordings.html",
            rows=rows,
            may_download={r["id"] for r in rows if viewer or r["centre_id"] == mine},
        )
    )


ROOM_PAGE = "eval_room.room_page"
# The site denies the camera to every page; the evaluation room's own origin may use it,
# since a venue's terminal streams and records its room from that page.
ROOM_PERMISSIONS = "camera=(self), microphone=(self), geolocation=()"


def allow_camera_in_room(resp: Response) -> Response:
    if request.endpoint == ROOM_PAGE:
        resp.headers["Permissions-Policy"] = ROOM_PERMISSIONS
    return resp
