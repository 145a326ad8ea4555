"""Login (password, then TOTP), logout, two-factor enrolment, supplier registration, tokens."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from app.core.auth import services
from app.core.auth.models import ApiToken, Centre, User
from app.core.errors import DomainError
from app.core.extensions import db, limiter
from app.core.workbench import landing_url

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if (
        target
        and urlsplit(target).netloc == ""
        and target.startswith("/")
        and not target.startswith("//")
    ):
        return target
    # No page asked for: the user's workbench (what needs them now), not the public home.
    return landing_url()


def _login_rate() -> str:
    from flask import current_app

    return current_app.config["LOGIN_RATE_LIMIT"]


def _finish_login(user: User) -> Any:
    nxt = session.get("login_next")
    # A fresh session at login: nothing from the anonymous session survives (fixation).
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    services.complete_login(user)
    db.session.commit()
    login_user(user)
    session.permanent = True
    return redirect(_safe_next(nxt))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"])
def login() -> Any:
    if request.method == "GET":
        session["login_next"] = request.args.get("next")
        return render_template("auth/login.html")
    username = request.form.get("username", "")
    try:
        user = services.check_password(username, request.form.get("password", ""))
    except DomainError as exc:
        db.session.commit()  # keep the failure counter and its audit entry
        flash(str(exc.message), "error")
        return render_template("auth/login.html", username=username), exc.status
    db.session.commit()
    if user.totp_enabled:
        session["pending_2fa"] = user.id
        return redirect(url_for("auth.two_factor"))
    if services.two_factor_required(user):
        session["pending_enrol"] = user.id
        return redirect(url_for("auth.enrol_totp"))
    return _finish_login(user)


@bp.route("/login/2fa", methods=["GET", "POST"])
@limiter.limit(_login_rate, methods=["POST"])
def two_factor() -> Any:
    uid = session.get("pending_2fa")
    user = db.session.get(User, uid) if uid else None
    if user is None:
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        if services.verify_totp(user, request.form.get("code", "")):
            return _finish_login(user)
        from app.core.audit import record

        record("auth.totp_failed", user, actor=user)
        db.session.commit()
        flash(_("动态验证码不正确。"), "error")
        return render_template("auth/two_factor.html"), 401
    return render_template("auth/two_factor.html")


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol_totp() -> Any:
    uid = session.get("pending_enrol")
    user = (
        db.session.get(User, uid)
        if uid
        else (current_user if current_user.is_authenticated else None)
    )
    if user is None:
        return redirect(url_for("auth.login"))
    if request.method == "POST":
        try:
            services.confirm_totp_enrolment(user, request.form.get("code", ""))
        except DomainError as exc:
            flash(str(exc.message), "error")
            return render_template(
                "auth/enrol.html", secret=user.totp_secret, uri=services.totp_uri(user)
            ), 422
        db.session.commit()
        flash(_("已启用两步验证。"), "success")
        if uid:
            return _finish_login(user)
        return redirect(url_for("auth.profile"))
    if not user.totp_secret or not user.totp_enabled:
        services.start_totp_enrolment(user)
        db.session.commit()
    return render_template("auth/enrol.html", secret=user.totp_secret, uri=services.totp_uri(user))


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    if current_user.is_authenticated:
        from app.core.audit import record

        record(
            "auth.logout",
            current_user._get_current_object(),
            actor=current_user._get_current_object(),
        )
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("portal.index"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register() -> Any:
    centres = db.session.execute(select(Centre).order_by(Centre.id)).scalars().all()
    if request.method == "GET":
        return render_template("auth/register.html", centres=centres, form={})
    f = request.form
    centre = (
        db.session.get(Centre, int(f["centre_id"])) if f.get("centre_id", "").isdigit() else None
    )
    try:
        if f.get("password") != f.get("password2"):
            from app.core.errors import ValidationError

            raise ValidationError(_("两次输入的密码不一致。"), field="password2")
        services.register_supplier(
            company_name=f.get("company_name", ""),
            credit=f.get("credit_code", ""),
            username=f.get("username", ""),
            password=f.get("password", ""),
            contact_name=f.get("contact_name", ""),
            email=f.get("email", ""),
            phone=f.get("phone", ""),
            centre=centre,
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return render_template(
            "auth/register.html", centres=centres, form=f, error_field=exc.field
        ), exc.status
    db.session.commit()
    flash(_("注册成功，请登录。"), "success")
    return redirect(url_for("auth.login", next=url_for("portal.index")))


@bp.route("/profile", methods=["GET"])
@login_required
def profile() -> Any:
    tokens = (
        db.session.execute(
            select(ApiToken)
            .where(ApiToken.user_id == current_user.id, ApiToken.revoked_at.is_(None))
            .order_by(ApiToken.id.desc())
        )
        .scalars()
        .all()
    )
    return render_template(
        "auth/profile.html", tokens=tokens, new_token=session.pop("new_token", None)
    )


@bp.route("/profile/tokens", methods=["POST"])
@login_required
def create_token() -> Any:
    _token, raw = services.issue_token(
        current_user._get_current_object(), request.form.get("name", "api")
    )
    db.session.commit()
    session["new_token"] = raw
    return redirect(url_for("auth.profile"))


@bp.route("/profile/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke_token(token_id: int) -> Any:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        from app.core.errors import NotFound

        raise NotFound(_("令牌不存在。"))
    services.revoke_token(current_user._get_current_object(), token)
    db.session.commit()
    flash(_("令牌已吊销。"), "success")
    return redirect(url_for("auth.profile"))
