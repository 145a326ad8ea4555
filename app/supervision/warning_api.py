"""JSON API of warnings and of the monitoring board (the same services as the pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.errors import DomainError
from app.core.extensions import db
from app.supervision import monitor, policies, runner, warning_flow
from app.supervision.schemas import (
    BoardOut,
    NoteIn,
    SendIn,
    SweepOut,
    TextIn,
    WarningOut,
    WarningQuery,
)

blp = Blueprint(
    "supervision_warnings_api",
    __name__,
    url_prefix="/api/v1/supervision",
    description="Supervision warnings and live monitoring",
)


def act(warning_id: int, command: str, fn: Callable[[Any], None]) -> Any:
    """Load, run one step of the warning's life, commit; a refusal is audited once."""
    try:
        w = warning_flow.get(warning_id, current_user)
        fn(w)
    except DomainError as exc:
        warning_flow.audit_refusal(warning_id, command, exc, current_user)
        raise
    db.session.commit()
    return w


@blp.route("/warnings")
class WarningsResource(MethodView):
    @login_required
    @blp.arguments(WarningQuery, location="query")
    @blp.response(200, WarningOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Supervisors: their centre's warnings (every centre's for the provincial one);
        anyone else: the warnings they are responsible for."""
        return warning_flow.warnings_for(current_user, status=args["status"], lot_id=args["lot_id"])


@blp.route("/warnings/<int:warning_id>")
class WarningResource(MethodView):
    @login_required
    @blp.response(200, WarningOut)
    def get(self, warning_id: int) -> Any:
        return warning_flow.get(warning_id, current_user)


@blp.route("/warnings/<int:warning_id>/send")
class SendResource(MethodView):
    @login_required
    @blp.arguments(SendIn)
    @blp.response(200, WarningOut)
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        """Send the warning to the staff member responsible (supervisors)."""
        return act(
            warning_id,
            "send",
            lambda w: warning_flow.send(w, current_user, data["responsible_id"], data["message"]),
        )


@blp.route("/warnings/<int:warning_id>/answer")
class AnswerResource(MethodView):
    @login_required
    @blp.arguments(TextIn)
    @blp.response(200, WarningOut)
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        """Answer a warning one is responsible for."""
        return act(
            warning_id, "answer", lambda w: warning_flow.answer(w, current_user, data["text"])
        )


@blp.route("/warnings/<int:warning_id>/read")
class ReadResource(MethodView):
    @login_required
    @blp.response(200, WarningOut)
    def post(self, warning_id: int) -> Any:
        """Mark the answer read (supervisors)."""
        return act(warning_id, "read", lambda w: warning_flow.mark_read(w, current_user))


@blp.route("/warnings/<int:warning_id>/close")
class CloseResource(MethodView):
    @login_required
    @blp.arguments(NoteIn)
    @blp.response(200, WarningOut)
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        """Close the warning (supervisors; closing an unsent one needs a reason)."""
        return act(warning_id, "close", lambda w: warning_flow.close(w, current_user, data["note"]))


@blp.route("/warnings/<int:warning_id>/correction")
class CorrectionResource(MethodView):
    @login_required
    @blp.arguments(NoteIn)
    @blp.response(200, WarningOut)
    def post(self, data: dict[str, Any], warning_id: int) -> Any:
        """Order a correction (纠错): the lot is suspended until it is done."""
        return act(
            warning_id,
            "correction",
            lambda w: warning_flow.order_correction(w, current_user, data["note"]),
        )


@blp.route("/warnings/<int:warning_id>/correction/done")
class CorrectionDoneResource(MethodView):
    @login_required
    @blp.response(200, WarningOut)
    def post(self, warning_id: int) -> Any:
        """The correction is done: the lot resumes where it stood."""
        return act(
            warning_id, "correction_done", lambda w: warning_flow.finish_correction(w, current_user)
        )


@blp.route("/board")
class BoardResource(MethodView):
    @login_required
    @blp.response(200, BoardOut)
    def get(self) -> Any:
        """Every lot of the supervisor's centre with its supervision points."""
        policies.ensure_supervisor(current_user)
        b = monitor.board(current_user.centre_id)
        lots = []
        for key, _label, lines in b.stages:
            for line in lines:
                line.stage = key  # type: ignore[attr-defined]
                lots.append(line)
        return {"counts": b.counts, "lots": lots, "quiet_ended": b.quiet_ended}


@blp.route("/sweep")
class SweepResource(MethodView):
    @login_required
    @blp.response(200, SweepOut)
    def post(self) -> Any:
        """Run every rule now over the supervisor's view (the scheduler does it regularly)."""
        policies.ensure_supervisor(current_user)
        report = runner.run()
        db.session.commit()
        return report.as_dict()
