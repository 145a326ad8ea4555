"""Projects, lots, announcements, tender documents, clarifications, objections, bids, opening."""

from typing import Any


def init_app(app: Any) -> None:
    from bidding import (
        models,  # noqa: F401  (tables)
        workbench,
    )
    from bidding.bids import bond_models  # noqa: F401  (tables)
    from bidding.bids import models as bid_models  # noqa: F401
    from bidding.documents import models as document_models  # noqa: F401  (tables)
    from bidding.invitations import models as invitation_models  # noqa: F401  (tables)
    from bidding.plans import models as plan_models  # noqa: F401  (tables)
    from bidding.prequal import models as prequal_models  # noqa: F401  (tables)
    from bidding.results import models as result_models  # noqa: F401  (tables)

    _init_documents(app)
    _init_lifecycle(app)
    _init_plans(app)
    _init_bids(app)
    _init_results(app)
    workbench.register()
    from bidding import retention

    # Nothing a retained archive refers to is deleted, whatever the path (see retention.py).
    retention.install_guard()


def _init_results(app: Any) -> None:
    """The result stages: publicity, filings, award, notices, contracts; their sweep."""
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.core.scheduler import register_job
    from bidding.results import api as results_api
    from bidding.results import jobs as results_jobs
    from bidding.results import views as results_views

    app.register_blueprint(results_views.bp)
    api.register_blueprint(results_api.blp)
    register_job(
        "results.filings_sweep",
        results_jobs.filings_sweep,
        int(app.config.get("RESULT_SWEEP_SECONDS", 300)),
    )
    register_nav(
        "results.home", _l("评标结果"), ("staff", "supervisor", "admin", "supplier"), order=28
    )


def _init_bids(app: Any) -> None:
    """Sealed bids, receipts, the deadline freeze and the opening hall."""
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from app.core.rooms import register_room_policy
    from app.core.scheduler import register_job
    from bidding.bids import api as bids_api
    from bidding.bids import bond_api, bond_views
    from bidding.bids import jobs as bids_jobs
    from bidding.bids import views as bids_views
    from bidding.bids.policies import HALL, may_join_hall
    from bidding.bids.refunds import start_refunds_on_award, start_refunds_on_contract
    from bidding.hooks import register_contract_signed, register_lot_awarded

    app.register_blueprint(bids_views.bp)
    api.register_blueprint(bids_api.blp)
    app.register_blueprint(bond_views.bp)
    api.register_blueprint(bond_api.blp)
    register_room_policy(HALL, may_join_hall)
    # Bond refunds fall due from the award (the others) and the contract (the winner).
    register_lot_awarded(start_refunds_on_award)
    register_contract_signed(start_refunds_on_contract)
    register_job(
        "bids.deadline_sweep",
        bids_jobs.deadline_sweep,
        int(app.config.get("BID_DEADLINE_SWEEP_SECONDS", 15)),
    )
    register_job(
        "bids.refund_sweep",
        bids_jobs.refund_sweep,
        int(app.config.get("BOND_REFUND_SWEEP_SECONDS", 3600)),
    )
    register_job(
        "bids.file_hashes_sweep",
        bids_jobs.file_hashes_sweep,
        int(app.config.get("BID_FILES_CHECK_SWEEP_SECONDS", 15)),
    )
    register_nav("bids.my_bids", _l("投标与开标"), ("supplier",), order=22)
    register_nav(
        "bonds.desk", _l("保证金账户"), ("staff",), order=27, when=bond_views.may_open_desk
    )
    register_nav(
        "bonds.bank_keys", _l("银行密钥"), ("admin",), order=85, when=bond_views.may_register_keys
    )
    register_nav("bids.custody_home", _l("开标与密钥"), ("staff", "supervisor", "admin"), order=26)


def _init_lifecycle(app: Any) -> None:
    """Projects, lots and announcements: staff pages, JSON API and menu entry."""
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from bidding import api as lifecycle_api
    from bidding import views as lifecycle_views

    app.register_blueprint(lifecycle_views.bp)
    api.register_blueprint(lifecycle_api.blp)
    register_nav("bidding.project_list", _l("项目管理"), ("staff", "supervisor", "admin"), order=20)


def _init_plans(app: Any) -> None:
    """Procurement plan lines (pages, API, to-dos) and invited suppliers (API)."""
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from bidding.invitations import api as invitations_api
    from bidding.invitations import views as invitations_views
    from bidding.plans import api as plans_api
    from bidding.plans import views as plans_views
    from bidding.plans import workbench as plans_workbench
    from bidding.plans.policies import may_open_plans

    app.register_blueprint(plans_views.bp)
    api.register_blueprint(plans_api.blp)
    api.register_blueprint(invitations_api.blp)
    app.register_blueprint(invitations_views.bp)
    from bidding.prequal import api as prequal_api
    from bidding.prequal import views as prequal_views
    from bidding.prequal.policies import is_supplier

    app.register_blueprint(prequal_views.bp)
    api.register_blueprint(prequal_api.blp)
    from bidding.prequal import workbench as prequal_workbench

    prequal_workbench.register()
    register_nav("prequal.supplier_list", _l("资格预审"), ("supplier",), order=27, when=is_supplier)
    register_nav(
        "plans.home", _l("采购计划"), ("purchaser", "supervisor"), order=18, when=may_open_plans
    )
    plans_workbench.register()


def _init_documents(app: Any) -> None:
    """Tender documents, downloads, clarifications, Q&A and objections."""
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api
    from app.core.nav import register_nav
    from bidding.documents import api as documents_api
    from bidding.documents import views as documents_views
    from bidding.policies import is_agency_staff

    app.register_blueprint(documents_views.bp)
    api.register_blueprint(documents_api.blp)
    register_nav("bidding_docs.supplier_lots", _l("招标文件与答疑"), ("supplier",), order=20)
    register_nav(
        "bidding_docs.staff_lots", _l("招标文件"), ("staff",), order=25, when=is_agency_staff
    )
