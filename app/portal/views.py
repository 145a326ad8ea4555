from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

bp = Blueprint("portal", __name__)


@bp.route("/")
def index() -> Any:
    return render_template("portal/index.html")


@bp.route("/announcements")
def announcements() -> Any:
    return render_template("portal/index.html")
