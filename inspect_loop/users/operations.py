import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from inspect_loop import clock
from inspect_loop.audit.events import (
    PasswordChanged,
    PasswordReset,
    SignedOut,
    TokenIssued,
    TokensRevoked,
    UserCreated,
    UserDisabled,
    UserEnabled,
    UserUpdated,
)
from inspect_loop.audit.log import record_event
from inspect_loop.characters import check_text
from inspect_loop.db import db
from inspect_loop.errors import Conflict, InvalidInput
from inspect_loop.labels import en, zh
from inspect_loop.regions.models import Department, DepartmentKind, RegionLevel
from inspect_loop.users.models import ApiToken, Role, User
from inspect_loop.users.passwords import check_password, hash_password, validate_password
from inspect_loop.users.permissions import Action, require

# Which kind of department each role belongs to; None: no department.
ROLE_DEPARTMENT = {
    Role.admin: None,
    Role.viewer: None,
    Role.inspector: None,
    Role.safety_office: (DepartmentKind.safety_office, RegionLevel.county),
    Role.township_office: (DepartmentKind.safety_office, RegionLevel.township),
    Role.regulator: (DepartmentKind.regulator, RegionLevel.county),
}


def _check_department(role: Role, department: Department | None) -> None:
    expected = ROLE_DEPARTMENT[role]
    if expected is not None:
        if department is None:
            raise InvalidInput(f"{zh(role)}须指定所属部门", f"A user with the role {en(role)} needs a department.", field="department")
        if (department.kind, department.region.level) != expected:
            raise InvalidInput(f"{department.name}不能作为{zh(role)}的所属部门",
                               f"{department.name} cannot be the department of a user with the role {en(role)}.",
                               field="department")


def create_user(*, username: str, role: Role, department: Department | None = None, password: str | None = None,
                display_name: str = "", actor: User | None = None) -> User:
    """A new login. ``actor`` is the administrator creating it; None only for the command line and the
    demo or data generators, which the server operator runs."""
    if actor is not None:
        require(actor, Action.manage_users)
    username = (username or "").strip()
    if not username:
        raise InvalidInput("请填写用户名", "Give a username.", field="username")
    # The pages and the API refuse such characters before; the command line gets here directly.
    check_text(username, field="username", label="用户名", label_en="The username")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"用户名 {username} 已存在", f"The username {username} is already taken.", field="username")
    _check_department(role, department)
    if password is not None:
        validate_password(password, username)
    user = User(username=username, role=role, department=department,
                department_id=department.id if department else None,
                password_hash=hash_password(password) if password else None,
                display_name=display_name or username, created_at=clock.now())
    db.session.add(user)
    db.session.flush()
    record_event(actor, UserCreated(role=role.value, department=department.code if department else None), user)
    return user


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_api_token(user: User, actor: User | None = None) -> str:
    """A new bearer token; only its digest is kept, so it is shown once. ``actor``: who issued it (None: the
    command line)."""
    token = "il_" + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=token_digest(token), created_at=clock.now()))
    db.session.flush()
    record_event(actor, TokenIssued(), user)
    return token


TOKEN_USE_RESOLUTION = timedelta(minutes=5)


# Every API request runs it: built once, the token's user loaded with it.
_TOKEN_AND_USER = (select(ApiToken).options(joinedload(ApiToken.user))
                   .where(ApiToken.token_hash == bindparam("digest"), ApiToken.revoked_at.is_(None)))


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(_TOKEN_AND_USER, {"digest": token_digest(token)})
    if row is None or not row.user.active:
        return None
    # To the minute is enough to see which tokens are in use; writing on every request would make every
    # read a write (on SQLite, a lock of the whole database).
    now = clock.now()
    if row.last_used_at is None or now - row.last_used_at >= TOKEN_USE_RESOLUTION:
        row.last_used_at = now
    return row.user


def revoke_api_tokens(user: User, actor: User | None = None) -> int:
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
    count = 0
    for row in rows:
        row.revoked_at = clock.now()
        count += 1
    db.session.flush()
    if count:
        record_event(actor, TokensRevoked(count=count), user)
    return count


def change_password(user: User, *, current: str, new: str) -> None:
    """A user changing their own password: the current one proves it is them."""
    if not check_password(user.password_hash, current or ""):
        raise InvalidInput("当前密码不正确", "The current password is not correct.", field="current")
    validate_password(new or "", user.username)
    if check_password(user.password_hash, new):
        raise InvalidInput("新密码不能与当前密码相同", "The new password must differ from the current one.", field="new")
    user.password_hash = hash_password(new)
    end_sessions(user, user)
    record_event(user, PasswordChanged(), user)
    db.session.flush()


def reset_password(actor: User, user: User, password: str) -> None:
    require(actor, Action.manage_users)
    validate_password(password or "", user.username)
    user.password_hash = hash_password(password)
    end_sessions(user, actor)
    record_event(actor, PasswordReset(), user)
    db.session.flush()


def end_sessions(user: User, actor: User | None) -> None:
    """Every session cookie of ``user`` stops working (the login id they carry names the previous
    generation), and so does every API token: whoever holds a copied cookie, a forgotten device or a token
    must sign in again with the current password. ``actor`` is who caused it, for the tokens' event."""
    user.session_generation += 1
    revoke_api_tokens(user, actor)


def sign_out(user: User) -> None:
    """Logging out ends every session and API token of the user, not only the browser's that asked: a
    cookie copied from it, or a session left open on another device, stops with it."""
    end_sessions(user, user)
    record_event(user, SignedOut(), user)
    db.session.flush()


def set_user_active(actor: User, user: User, active: bool) -> None:
    """Disabling a user also ends their sessions and revokes their API tokens; enabling brings none back."""
    require(actor, Action.manage_users)
    if user.id == actor.id and not active:
        raise InvalidInput("不能停用自己的账号", "You cannot disable your own account.", field="active")
    if user.active == active:
        return
    user.active = active
    if not active:
        end_sessions(user, actor)
    record_event(actor, UserEnabled() if active else UserDisabled(), user)
    db.session.flush()


def update_user(actor: User, user: User, *, role: Role, department: Department | None, display_name: str) -> None:
    require(actor, Action.manage_users)
    if user.id == actor.id and role != user.role:
        raise InvalidInput("不能修改自己的角色", "You cannot change your own role.", field="role")
    if ROLE_DEPARTMENT[role] is None:
        department = None
    _check_department(role, department)
    changes = {"role": role.value, "department": department.code if department else None}
    user.role = role
    user.department = department
    user.department_id = department.id if department else None
    user.display_name = (display_name or "").strip() or user.username
    record_event(actor, UserUpdated(**changes), user)
    db.session.flush()
