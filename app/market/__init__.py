"""The intermediary services market (中介超市): agencies join with no quota, buyers post
needs and select an agency by online reverse auction, direct choice or a verifiable
random draw; award, contract, completion, ratings and the agencies' credit.

A roof package: it builds on the ground's organisations, audit log, storage and rooms
and on the expert draws' pure functions (experts/draw.py)."""

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api as rest
    from app.core.nav import register_nav
    from app.core.rooms import register_room_policy
    from app.core.scheduler import register_job
    from app.market import (  # noqa: F401
        api,
        auction,
        buyer_views,
        exit_views,
        jobs,
        models,
        sealed_api,
        sealed_models,
        sealed_views,
        views,
        workbench,
    )
    from app.market.cli import market_cli
    from app.market.policies import can_edit_catalogue, is_agency_user, is_buyer_user

    app.register_blueprint(views.bp)
    app.register_blueprint(buyer_views.bp)
    app.register_blueprint(exit_views.bp)
    rest.register_blueprint(api.blp)
    rest.register_blueprint(sealed_api.blp)
    app.register_blueprint(sealed_views.bp)
    app.cli.add_command(market_cli)
    register_room_policy(auction.AUCTION, auction.may_join)
    register_job("market.close_auctions", jobs.close_auctions, 10)
    register_job("market.open_sealed_quotes", jobs.open_sealed_quotes, 30)
    register_job("market.qualification_validity", jobs.qualification_validity, 3600)
    workbench.register()
    register_nav("workbench.index", _l("工作台"), ("intermediary", "purchaser"), order=1)
    register_nav(
        "market.my_needs", _l("服务需求与竞价"), ("intermediary",), order=20, when=is_agency_user
    )
    register_nav(
        "market.my_profile", _l("机构资料与资质"), ("intermediary",), order=22, when=is_agency_user
    )
    register_nav(
        "market_buyer.index", _l("我的服务需求"), ("purchaser",), order=20, when=is_buyer_user
    )
    register_nav(
        "market_buyer.new", _l("发布服务需求"), ("purchaser",), order=22, when=is_buyer_user
    )
    register_nav("market.types", _l("中介服务类别"), ("admin",), order=88, when=can_edit_catalogue)
    register_nav(
        "market.index",
        _l("中介超市"),
        ("intermediary", "purchaser", "supervisor", "admin"),
        order=30,
    )
