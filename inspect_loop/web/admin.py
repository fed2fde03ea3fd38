"""系统管理 (administrator): the overview, and users — list, create, change role and department, disable or
enable, reset a password. Regions, departments and the hazard catalogue are in ``admin_catalogue.py``,
imports in ``imports.py``.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Optional, ValidationError

from inspect_loop import clock
from inspect_loop.caching.pages import cached_page
from inspect_loop.config import is_loopback_url
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.regions.models import Department
from inspect_loop.stats.excel import Column
from inspect_loop.users.models import Role, User
from inspect_loop.users.operations import create_user, reset_password, set_user_active, update_user
from inspect_loop.users.passwords import MIN_LENGTH
from inspect_loop.users.permissions import Action
from inspect_loop.web import admin_queries as queries
from inspect_loop.web import bp
from inspect_loop.web.arguments import query_text
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import attach_error, commit_or_message, commit_or_refusal, form_text, paginate
from inspect_loop.web.labels import label, options

# A choice a form starts with when nothing is chosen yet: no role, department, kind, region or level is
# pre-selected, since each decides what a user may do or where a record belongs (docs/office-and-admin.md,
# "Defaults of the admin forms").
UNCHOSEN = ""
REQUIRED = _l("请填写此项")
NO_DEPARTMENT = 0  # the department choice of roles without one (admin, inspector, viewer)


def chosen_id(value) -> int | None:
    """A posted id of a select with a placeholder: the placeholder ("") is no id."""
    return None if value in (None, UNCHOSEN) else int(value)


USER_COLUMNS = [
    Column("username", _l("用户名")), Column("display_name", _l("姓名")), Column("role", _l("角色")),
    Column("department", _l("所属部门")), Column("active", _l("状态")), Column("created_at", _l("创建时间")),
]


class UserFields(FlaskForm):
    display_name = StringField(_l("姓名或称呼"), validators=[Optional(), Length(max=50)])
    role = SelectField(_l("角色"), default=UNCHOSEN, validators=[DataRequired(_l("请选择角色"))])
    # "0" (无) is a choice of its own, so the check is on the posted text, not on the id.
    department = SelectField(_l("所属部门"), coerce=chosen_id, validators=[InputRequired(_l("请选择所属部门"))])
    grant_admin = BooleanField(_l("我确认授予系统管理员权限"))
    role_before: Role | None = None  # the edited user's role; None for a new user

    def fill_choices(self) -> None:
        self.role.choices = [(UNCHOSEN, _("请选择角色")), *options(Role)]
        self.department.choices = [(UNCHOSEN, _("请选择所属部门")), (NO_DEPARTMENT, _("无（系统管理员、暗访督查员、领导）")),
                                   *[(department.id, _("%(name)s（%(code)s）", name=department.name, code=department.code))
                                     for department in queries.all_departments()]]

    def validate_grant_admin(self, field) -> None:
        """Making someone an administrator gives every right over every county: it is confirmed, not
        slipped into a save by a wrong pick in the role list."""
        if self.role.data == Role.admin and self.role_before != Role.admin and not field.data:
            raise ValidationError(_("授予系统管理员权限前，请勾选“我确认授予系统管理员权限”"))

    def chosen_department(self) -> Department | None:
        return db.session.get(Department, self.department.data) if self.department.data else None


class NewUserForm(UserFields):
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED), Length(max=50)])
    password = PasswordField(_l("初始密码"), validators=[DataRequired(REQUIRED), Length(max=200)])
    repeat = PasswordField(_l("再次输入初始密码"), validators=[
        DataRequired(REQUIRED), EqualTo("password", message=_l("两次输入的密码不一致"))])


class PasswordResetForm(FlaskForm):
    password = PasswordField(_l("新密码"), validators=[DataRequired(REQUIRED), Length(max=200)])
    repeat = PasswordField(_l("再次输入新密码"), validators=[
        DataRequired(REQUIRED), EqualTo("password", message=_l("两次输入的密码不一致"))])


@bp.get("/admin")
@permission_required(Action.manage_users)
@cached_page
def admin_home():
    return render_template("admin/home.html", counts=queries.counts(),
                           loopback_base_url=is_loopback_url(current_app.config["BASE_URL"]))


# -- users --------------------------------------------------------------------------------------------

def user_row(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": label(user.role),
            "department": user.department.name if user.department else "", "active": _("启用") if user.active else _("停用"),
            "created_at": clock.local_datetime(user.created_at).replace(tzinfo=None)}


@bp.get("/admin/users")
@permission_required(Action.manage_users)
@cached_page
def admin_users():
    filters = queries.UserFilters.from_request()
    statement = queries.users_statement(filters)
    if wants_xlsx():
        rows = [user_row(user) for user in db.session.scalars(statement.limit(MAX_EXPORT_ROWS))]
        notes = [(_("角色"), label(Role(filters.role)) if filters.role else _("全部")),
                 (_("状态"), {"1": _("启用"), "0": _("停用")}.get(filters.active, _("全部"))),
                 (_("搜索"), query_text("q"))]
        return xlsx_list(_("用户"), USER_COLUMNS, rows, "users", notes)
    return render_template("admin/users.html", pager=paginate(statement), role_options=options(Role))


@bp.route("/admin/users/new", methods=["GET", "POST"])
@permission_required(Action.manage_users)
def admin_user_new():
    form = NewUserForm()
    form.fill_choices()
    if form.validate_on_submit():
        try:
            user = create_user(username=form.username.data, role=Role(form.role.data),
                               department=form.chosen_department(), password=form.password.data,
                               display_name=(form.display_name.data or "").strip(), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            attach_error(form, error, "username", {"current": "password", "new": "password"})
        else:
            db.session.commit()
            flash(_("已创建用户 %(name)s，请将初始密码告知本人并提醒其登录后修改", name=user.username), "success")
            return redirect(url_for("web.admin_user", user_id=user.id))
    return render_template("admin/user_new.html", form=form, min_length=MIN_LENGTH), 400 if form.errors else 200


def render_user(user: User, form: UserFields, reset: PasswordResetForm, message: str | None = None,
                status: int = 200):
    return render_template("admin/user.html", user=user, form=form, reset=reset, message=message,
                           min_length=MIN_LENGTH), status


def edit_form(user: User, **kwargs) -> UserFields:
    """The user's role, department and name; from the posted form when there is one (``formdata=None`` to
    show the stored values after another form of the page failed)."""
    form = UserFields(data={"display_name": user.display_name, "role": user.role.value,
                            "department": user.department_id or NO_DEPARTMENT}, **kwargs)
    form.role_before = user.role
    form.fill_choices()
    return form


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@permission_required(Action.manage_users)
def admin_user(user_id: int):
    user = db.get_or_404(User, user_id)
    form = edit_form(user)
    reset = PasswordResetForm(formdata=None)
    if form.validate_on_submit():
        error = commit_or_refusal(lambda: update_user(
            current_user, user, role=Role(form.role.data), department=form.chosen_department(),
            display_name=form.display_name.data or ""))
        if error is None:
            flash(_("已保存 %(name)s 的角色和部门", name=user.username), "success")
            return redirect(url_for("web.admin_user", user_id=user.id))
        attach_error(form, error, "role")
    return render_user(user, form, reset, status=400 if form.errors else 200)


@bp.post("/admin/users/<int:user_id>/password")
@permission_required(Action.manage_users)
def admin_user_password(user_id: int):
    user = db.get_or_404(User, user_id)
    reset = PasswordResetForm()
    if reset.validate_on_submit():
        error = commit_or_refusal(lambda: reset_password(current_user, user, reset.password.data))
        if error is None:
            flash(_("已重置 %(name)s 的密码，其已有的登录和 API 令牌均已失效；请告知本人并提醒其登录后修改",
                    name=user.username), "success")
            return redirect(url_for("web.admin_user", user_id=user.id))
        attach_error(reset, error, "password")
    return render_user(user, edit_form(user, formdata=None), reset, status=400)


@bp.post("/admin/users/<int:user_id>/active")
@permission_required(Action.manage_users)
def admin_user_active(user_id: int):
    user = db.get_or_404(User, user_id)
    active = form_text("active", 1) == "1"
    message = commit_or_message(lambda: set_user_active(current_user, user, active))
    if message:
        return render_user(user, edit_form(user, formdata=None), PasswordResetForm(formdata=None), message, 400)
    flash(_("已启用 %(name)s", name=user.username) if active else
          _("已停用 %(name)s，其登录和 API 令牌已同时失效", name=user.username), "success")
    return redirect(url_for("web.admin_user", user_id=user.id))


from inspect_loop.web import admin_catalogue  # noqa: E402,F401  (its pages register on bp)
