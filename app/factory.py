"""create_app(): binds extensions and registers every package (the roof)."""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.core import clock, formatting, json_limits, sqlite_writes, validation_messages
from app.core.errors import DomainError
from app.core.extensions import api, babel, csrf, db, limiter, login_manager, migrate
from config import load_config

ROOT = Path(__file__).resolve().parent.parent

# Every package, in floor order; each exposes init_app(app), which declares its blueprints,
# API, command group, scheduled jobs, menu entries and room policies.
PACKAGES = (
    "app.core",
    "bidding",
    "experts",
    "remote_eval",
    "app.portal",
    "app.archive",
    "app.supervision",
    "app.credit",
    "app.inspections",
    "app.admin",
    "app.market",
    "app.workbench",
    "app.demo",
    "app.launcher",
)
# The top-level folders that may carry a translations/ catalogue of their own.
TRANSLATED = tuple(dict.fromkeys(name.split(".")[0] for name in PACKAGES))


class BoundedIntConverter(IntegerConverter):
    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=15000")
    cur.close()


def select_locale() -> str:
    from flask import has_request_context

    if not has_request_context():  # CLI, scheduler, services called from tests
        return "zh_CN"
    lang = request.args.get("lang") if request else None
    if lang in ("zh_CN", "en"):
        return lang
    if "lang" in session and session["lang"] in ("zh_CN", "en"):
        return session["lang"]
    if request and request.cookies.get("lang") in ("zh_CN", "en"):
        return request.cookies["lang"]
    # Chinese by default: only an explicit choice switches to English.
    return "zh_CN"


_PARSED_LOCALES: dict[str, Any] = {}


def select_parsed_locale() -> Any:
    """select_locale() as a babel Locale, parsed once per code rather than per request."""
    code = select_locale()
    locale = _PARSED_LOCALES.get(code)
    if locale is None:
        from babel import Locale

        locale = _PARSED_LOCALES.setdefault(code, Locale.parse(code))
    return locale


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    settings = load_config(overrides=overrides)
    instance = (
        settings.get("INSTANCE_PATH")
        or os.environ.get("TENDERHALL_INSTANCE_PATH")
        or str(ROOT / "instance")
    )
    app = Flask(
        "app",
        instance_path=instance,
        template_folder=str(ROOT / "app" / "templates"),
        static_folder=str(ROOT / "app" / "static"),
    )
    app.config.update(settings)
    # Ids fit a 32-bit INTEGER on every backend; a larger path id is simply not found (404).
    app.url_map.converters["int"] = BoundedIntConverter
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    url = app.config.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'tenderhall.db'}"
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    if url.startswith("sqlite"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {"timeout": 15, "factory": sqlite_writes.QueuedWriterConnection}
        }
    app.config.setdefault("STORAGE_DIR", None)
    app.config["STORAGE_DIR"] = app.config["STORAGE_DIR"] or str(
        Path(app.instance_path) / "storage"
    )
    app.config["MAIL_MBOX_PATH"] = app.config["MAIL_MBOX_PATH"] or str(
        Path(app.instance_path) / "mailbox.mbox"
    )
    translation_dirs = [str(ROOT / p / "translations") for p in TRANSLATED]
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(translation_dirs)
    if app.config.get("REDIS_URL"):
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    else:
        app.config["RATELIMIT_STORAGE_URI"] = "memory://"

    from app.core.storage import FileStore

    app.extensions["tenderhall_store"] = FileStore(app.config["STORAGE_DIR"])

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite" and not getattr(db.engine, "_th_pragmas", False):
            event.listen(db.engine, "connect", _sqlite_pragmas)
            event.listen(db.engine, "before_cursor_execute", sqlite_writes.before_cursor_execute)
            db.engine._th_pragmas = True  # type: ignore[attr-defined]
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"
    csrf.init_app(app)
    babel.init_app(
        app, locale_selector=select_parsed_locale, timezone_selector=lambda: "Asia/Shanghai"
    )
    limiter.init_app(app)
    api.init_app(app)

    _install_hooks(app)
    _install_error_handlers(app)
    _install_template_helpers(app)

    for name in PACKAGES:
        importlib.import_module(name).init_app(app)

    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    return app


def _install_hooks(app: Flask) -> None:
    from app.core.auth.login import bearer_token
    from app.core.auth.models import User
    from app.core.auth.services import user_for_token

    @login_manager.user_loader
    def load_user(ident: str) -> User | None:
        try:
            uid, epoch = (int(x) for x in ident.split(":", 1))
        except ValueError:
            return None
        user = db.session.get(User, uid)
        if user is None or user.session_epoch != epoch or not user.is_active:
            return None
        return user

    @login_manager.request_loader
    def load_user_from_request(req: Any) -> User | None:
        token = bearer_token(req)
        if token is None:
            return None
        user = user_for_token(token)
        if user is not None:
            g.token_auth = True
        return user

    @login_manager.unauthorized_handler
    def unauthorized() -> Any:
        if wants_json():
            return jsonify(error="unauthorized", message=_("请先登录。")), 401
        from flask import flash, redirect, url_for

        flash(_("请先登录。"), "warning")
        return redirect(url_for("auth.login", next=request.full_path))

    @app.before_request
    def forget_previous_user() -> None:
        # g lives on the app context, which a test (or a CLI command) may hold open across
        # several requests; the user of one request must never leak into the next.
        g.pop("_login_user", None)
        g.pop("token_auth", None)
        # Nor its language: flask-babel caches the selected locale on g.
        g.pop("_flask_babel", None)

    # Before CSRF and every view: no parser may meet an unbounded JSON body.
    json_limits.install(app)

    @app.before_request
    def csrf_unless_token() -> None:
        # Bearer-token API calls carry no ambient credentials, so CSRF does not apply.
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        if bearer_token(request) is not None:
            return
        # An API call that carries no logged-in session has no ambient authority to abuse.
        if request.path.startswith("/api/") and "_user_id" not in session:
            return
        if app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()

    @app.after_request
    def security_headers(resp: Any) -> Any:
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        resp.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
        )
        resp.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return resp

    @app.teardown_request
    def rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()


def _error_response(
    status: int, code: str, message: str, extra: dict[str, Any] | None = None
) -> Any:
    db.session.rollback()
    if wants_json():
        body = {"error": code, "message": message}
        if extra:
            body.update(extra)
        return jsonify(body), status
    return render_template("error.html", status=status, message=message), status


def _record_refusal(exc: DomainError) -> None:
    """The refused attempt's own audit entry, committed alone after the rollback."""
    from flask_login import current_user

    from app.core.audit import record

    assert exc.refusal_audit is not None
    action, obj, data = exc.refusal_audit
    actor = current_user if getattr(current_user, "is_authenticated", False) else None
    try:
        record(action, obj, data | {"message": str(exc.message)}, actor=actor)
        db.session.commit()
    except sa_exc.SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("refusal not audited: %s", action)


def _install_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(exc: DomainError) -> Any:
        db.session.rollback()
        if exc.refusal_audit is not None:
            _record_refusal(exc)
        if wants_json():
            return jsonify(exc.to_dict()), exc.status
        return render_template(
            "error.html", status=exc.status, message=str(exc.message)
        ), exc.status

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> Any:
        return _error_response(
            400, "csrf", _("表单已过期或来源不可信（CSRF 校验失败），请刷新页面后重试。")
        )

    @app.errorhandler(413)
    def too_large(exc: HTTPException) -> Any:
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _error_response(
            413, "too_large", _("上传内容过大，单次请求不得超过 %(n)s MB。", n=limit)
        )

    @app.errorhandler(429)
    def too_many(exc: HTTPException) -> Any:
        return _error_response(429, "rate_limited", _("操作过于频繁，请稍后再试。"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Any:
        messages = {
            400: _("请求格式有误。"),
            401: _("请先登录。"),
            403: _("您无权访问此内容。"),
            404: _("页面或对象不存在。"),
            405: _("不支持此请求方法。"),
        }
        status = exc.code or 500
        data = getattr(exc, "data", None)
        errors = (data.get("messages") or data.get("errors")) if isinstance(data, dict) else None
        if status in (400, 422) and errors:  # flask-smorest / webargs validation error
            extra = {"errors": errors}
            return _error_response(
                status,
                "invalid",
                _("提交的数据有误：%(f)s", f=validation_messages.flatten(errors)),
                extra,
            )
        return _error_response(
            status, exc.name.lower().replace(" ", "_"), str(messages.get(status, exc.description))
        )

    @app.errorhandler(sa_exc.StatementError)
    def database_refused(exc: sa_exc.StatementError) -> Any:
        # Last line of defence: schemas bound their input, but a value the database cannot
        # hold (an id beyond 32 bits, a duplicate in a race) is the client's problem, not a 500.
        orig = getattr(exc, "orig", None)
        if isinstance(exc, sa_exc.IntegrityError):
            return _error_response(409, "conflict", _("数据与已有记录冲突，请刷新后重试。"))
        if isinstance(exc, sa_exc.DataError) or isinstance(orig, (OverflowError, ValueError)):
            return _error_response(422, "invalid", _("提交的数值超出允许范围。"))
        return unexpected(exc)

    @app.errorhandler(OverflowError)
    def overflow(exc: OverflowError) -> Any:
        return _error_response(422, "invalid", _("提交的数值超出允许范围。"))

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Any:
        app.logger.exception("unhandled error")
        return _error_response(500, "internal", _("系统内部错误，已记录，请稍后再试。"))


def _install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["money"] = formatting.money
    app.jinja_env.filters["cst"] = formatting.cst
    app.jinja_env.filters["cst_until"] = formatting.cst_until
    app.jinja_env.globals["now"] = clock.now

    @app.context_processor
    def inject() -> dict[str, Any]:
        from flask_babel import get_locale

        locale = str(get_locale())
        # A label's colon: full-width in Chinese, ": " in English (never "Name：").
        colon = ": " if locale.startswith("en") else "："
        return {"current_locale": locale, "current_user": current_user, "colon": colon}
