"""Logging in and out, changing one's password, and the permission check every page makes.

Pages protect themselves with ``@permission_required(Action.x)`` (login plus the role × action matrix of
``inspect_loop.users.permissions``) or ``@login_required`` for pages every role may open; row scoping
(a township user only sees its township) stays with the page's query.
"""

import re
import secrets
from functools import cache, wraps
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.extensions import limiter, login_manager
from inspect_loop.users.models import Role, User
from inspect_loop.users.operations import change_password, sign_out
from inspect_loop.users.passwords import MIN_LENGTH, check_password, hash_password
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.helpers import domain_message
from inspect_loop.web.labels import label
from inspect_loop.web.navigation import home_url

# Login attempts per client address; the hourly limit stops slow guessing, the minute limit bursts.
LOGIN_RATE_LIMIT = "10/minute;50/hour"
# Failed attempts per account, from whatever addresses: guessing one account's password from many addresses
# is stopped too. Only failures count, so signing in and out often never holds a user up; while an account
# is held, its right password is refused as well (otherwise the answer would tell the guesser it was right).
ACCOUNT_LOGIN_RATE_LIMIT = "10/minute;30/hour"


def login_account_key() -> str:
    """The account an attempt is for, named as the login matches it (trimmed, any case); the prefix keeps a
    username from sharing a counter with an address."""
    return "account:" + (request.form.get("username") or "").strip().lower()[:50]


def login_failed(response) -> bool:
    # A refused attempt shows the form again; a successful one redirects, a refused request is no attempt.
    return response.status_code == 200


@cache
def _unknown_user_hash() -> str:
    """Verifying against a real hash when the user does not exist keeps the answer time the same either
    way, so response times do not reveal which usernames exist."""
    return hash_password(secrets.token_urlsafe(16))

login_manager.login_view = "web.login"
login_manager.login_message = _l("请先登录")
login_manager.login_message_category = "info"


# ``User.get_id``: the user's id and session generation.
LOGIN_ID = re.compile(r"(\d+):(\d+)", re.ASCII)


@login_manager.user_loader
def load_user(login_id: str) -> User | None:
    """The user of a session, only while the generation it was started in is still the user's: logging
    out, changing or resetting the password and disabling raise it and so end every earlier session."""
    match = LOGIN_ID.fullmatch(login_id)
    if match is None:
        return None
    # Every page's header names the user's department: loaded with the user, not by a second statement.
    user = db.session.get(User, int(match.group(1)), options=[joinedload(User.department)])
    if user is None or user.session_generation != int(match.group(2)):
        return None
    return user


def role_name(role: Role) -> str:
    return label(Role(role))


def permission_required(action: Action):
    """Login required, then the role × action matrix: 403 when the user's role may not do ``action``."""
    def decorator(view):
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if not allowed(current_user, action):
                abort(403)
            return view(*args, **kwargs)
        return checked
    return decorator


def roles_required(*roles: Role):
    """For pages of particular roles that no single action describes (e.g. an inbox)."""
    def decorator(view):
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return checked
    return decorator


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(), Length(max=50)])
    password = PasswordField(_l("密码"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("当前密码"), validators=[DataRequired()])
    new = PasswordField(_l("新密码"), validators=[DataRequired(), Length(max=200)])
    repeat = PasswordField(_l("再次输入新密码"),
                           validators=[DataRequired(), EqualTo("new", message=_l("两次输入的新密码不一致"))])


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site, so a crafted link cannot send a user elsewhere after login."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_RATE_LIMIT, methods=["POST"])
@limiter.limit(ACCOUNT_LOGIN_RATE_LIMIT, methods=["POST"], key_func=login_account_key, deduct_when=login_failed)
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))
        if user is None:
            check_password(_unknown_user_hash(), form.password.data)
        if user is None or not check_password(user.password_hash, form.password.data):
            flash(_("用户名或密码错误"), "error")
        elif not user.active:
            flash(_("该账号已停用，请联系系统管理员"), "error")
        else:
            fresh_session()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or home_url(user))
    return render_template("auth/login.html", form=form, min_length=MIN_LENGTH)


def fresh_session() -> None:
    """Nothing of the session carries over but the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        sign_out(current_user._get_current_object())
        db.session.commit()
    logout_user()
    fresh_session()
    flash(_("已退出登录"), "success")
    return redirect(url_for("web.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    form = PasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user._get_current_object(), current=form.current.data, new=form.new.data)
        except DomainError as error:
            db.session.rollback()
            form.new.errors.append(domain_message(error))
        else:
            db.session.commit()
            # Every session of the user has ended, this one too; the person who just proved the password
            # goes on in a new one.
            user = current_user._get_current_object()
            fresh_session()
            login_user(user)
            flash(_("密码已修改，其他设备上的登录和访问令牌均已失效"), "success")
            return redirect(home_url(current_user))
    return render_template("auth/password.html", form=form, min_length=MIN_LENGTH)


@bp.route("/")
@login_required
def index():
    return redirect(home_url(current_user))
