"""The workbench (工作台): after login, each user lands on what needs them now.

The providers live with the floors that know the work (`bidding/workbench.py`,
`experts/workbench.py`, `remote_eval/workbench.py`, `app/supervision/workbench.py`), each
registered in its package's init_app into the ground's registry (`app.core.workbench`);
this roof package only shows them: a page and `GET /api/v1/workbench`.
"""

from typing import Any


def init_app(app: Any) -> None:
    from flask_babel import lazy_gettext as _l

    from app.core.extensions import api as rest
    from app.core.nav import register_nav
    from app.core.workbench import set_landing
    from app.workbench import api, views

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
    set_landing("workbench.index")
    register_nav(
        "workbench.index",
        _l("工作台"),
        ("admin", "staff", "supplier", "expert", "supervisor"),
        order=1,
    )
