"""JSON API of credit records: the public supplier records, and what supervisors enter."""

from __future__ import annotations

from typing import Any

from flask import Response
from flask.views import MethodView
from flask_login import current_user, login_required
from flask_smorest import Blueprint

from app.core.auth.models import Organisation
from app.core.extensions import db
from app.core.http import load_or_404
from app.credit import policies, queries, records
from app.credit.models import CreditRecord
from app.credit.schemas import (
    CreditLiftIn,
    CreditQuery,
    CreditRecordOut,
    ExpertCreditIn,
    ExpertCreditOut,
    SupplierCreditIn,
)
from experts.models import Expert

blp = Blueprint("credit_api", __name__, url_prefix="/api/v1/credit", description="Credit records")


@blp.route("/records")
class SupplierRecords(MethodView):
    @blp.arguments(CreditQuery, location="query")
    @blp.response(200, CreditRecordOut(many=True))
    def get(self, args: dict[str, Any]) -> Any:
        """Suppliers' credit records, newest first (public: 信用信息公示)."""
        return queries.supplier_records(queries.Filter(**args))

    @login_required
    @blp.arguments(SupplierCreditIn)
    @blp.response(201, CreditRecordOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Enter an authority's decision about a supplier (supervisors). A blacklist entry
        needs a basis and an end 1–3 years after its start; while it runs the supplier cannot
        download tender documents or bid."""
        policies.ensure_can_record_credit(current_user)
        org = load_or_404(Organisation, data.pop("organisation_id"))
        item = records.add_supplier_record(current_user, org, data)
        db.session.commit()
        return item


@blp.route("/records.csv")
class SupplierRecordsCsv(MethodView):
    @blp.arguments(CreditQuery, location="query")
    @blp.response(200, content_type="text/csv")
    def get(self, args: dict[str, Any]) -> Any:
        """The same records as CSV."""
        text = queries.csv_text(queries.supplier_records(queries.Filter(**args)))
        return Response(
            text,
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=credit-records.csv"},
        )


@blp.route("/records/<int:record_id>")
class SupplierRecord(MethodView):
    @blp.response(200, CreditRecordOut)
    def get(self, record_id: int) -> Any:
        """One supplier credit record."""
        return load_or_404(CreditRecord, record_id)


@blp.route("/records/<int:record_id>/lift")
class LiftRecord(MethodView):
    @login_required
    @blp.arguments(CreditLiftIn)
    @blp.response(200, CreditRecordOut)
    def post(self, data: dict[str, Any], record_id: int) -> Any:
        """Lift a blacklist entry in force before its end (信用修复), with the reason."""
        policies.ensure_can_record_credit(current_user)
        item = records.lift(current_user, load_or_404(CreditRecord, record_id), data["reason"])
        db.session.commit()
        return item


@blp.route("/expert-records")
class ExpertRecords(MethodView):
    @login_required
    @blp.response(200, ExpertCreditOut(many=True))
    def get(self) -> Any:
        """Experts' credit records of the caller's centre (all centres for administrators);
        not public."""
        policies.ensure_can_read_expert_credit(current_user)
        centre = None if current_user.role.value == "admin" else current_user.centre_id
        return [e for e, _x in queries.expert_records(centre)]

    @login_required
    @blp.arguments(ExpertCreditIn)
    @blp.response(201, ExpertCreditOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Enter an authority's decision about an expert of the supervisor's centre; a
        blacklist entry keeps the expert out of every draw until its end."""
        policies.ensure_can_record_credit(current_user)
        expert = load_or_404(Expert, data.pop("expert_id"))
        item = records.add_expert_record(current_user, expert, data)
        db.session.commit()
        return item
