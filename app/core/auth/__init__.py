"""Users, organisations, roles, login, two-factor and API tokens."""


def init_app(app):  # noqa: ANN001, ANN201
    from app.core.auth import api, views
    from app.core.extensions import api as rest

    app.register_blueprint(views.bp)
    rest.register_blueprint(api.blp)
