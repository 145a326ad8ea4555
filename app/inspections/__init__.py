"""Random inspections (双随机、一公开): the centre's lists of inspection items, targets and
inspectors, campaigns drawn with the expert draws' verifiable method and avoidance of former
employers, results entered per target and item and published on the portal."""

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api as smorest
    from app.core.nav import register_nav
    from app.inspections import api, models, views, workbench  # noqa: F401  (models: tables)
    from app.inspections.cli import inspections_cli
    from app.inspections.policies import can_manage_inspections

    app.register_blueprint(views.bp)
    smorest.register_blueprint(api.blp)
    app.cli.add_command(inspections_cli)
    workbench.register()
    register_nav(
        "inspections.manage",
        _l("双随机抽查"),
        ["supervisor"],
        order=87,
        when=can_manage_inspections,
    )
