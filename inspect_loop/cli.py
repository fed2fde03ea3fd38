"""Command-line interface: ``flask --app inspect_loop <command>``. Each command commits once."""

import secrets

import click
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.regions.lookup import department_by_code
from inspect_loop.users.models import Role, User
from inspect_loop.users.operations import create_user, issue_api_token, revoke_api_tokens
from inspect_loop.users.passwords import password_problem


def _fail(error: DomainError):
    db.session.rollback()
    raise click.ClickException(f"{error.message_zh} ({error.message_en})")


def _importing_user(username: str | None) -> User:
    """The user an import is recorded as (every created row's audit event names it)."""
    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or not user.active:
            raise click.ClickException(f"用户 {username} 不存在或已停用 (no such active user)")
        return user
    user = db.session.scalar(select(User).where(User.role == Role.admin, User.active.is_(True)).order_by(User.id))
    if user is None:
        raise click.ClickException("没有可用的系统管理员账号，请先用 users create 创建，或用 --as 指定用户 "
                                   "(no active administrator; create one or pass --as)")
    return user


def _user_named(username: str) -> User:
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"用户 {username} 不存在 (no such user)")
    return user


def register_cli(app: Flask) -> None:
    @app.cli.command("init-db")
    def init_db():
        """Create or upgrade the database schema by applying every migration."""
        upgrade()
        click.echo("数据库已就绪 (database schema is up to date)")

    @app.cli.command("demo")
    @click.option("--seed", default=2026, show_default=True, help="random seed for the demo county")
    def demo(seed):
        """Fill an empty database with a living demo county (兰溪-like) and print the demo logins."""
        from inspect_loop.demo import build_demo

        upgrade()
        try:
            logins = build_demo(seed=seed, progress=click.echo)
        except DomainError as error:
            _fail(error)
        db.session.commit()
        click.echo("演示账号 (demo logins):")
        for username, role, password in logins:
            click.echo(f"  {username:<18} {role:<16} {password}")

    @app.cli.command("sweep")
    def sweep():
        """The daily list of what is due: re-inspections, overdue findings, summons and follow-ups."""
        from inspect_loop.cases.sweep import daily_sweep

        for section in daily_sweep():
            click.echo(f"{section.title}: {len(section.rows)}")
            for row in section.rows:
                click.echo(f"  - {row}")

    photos = click.Group("photos", help="Uploaded photos.")
    app.cli.add_command(photos)

    @photos.command("prune")
    @click.option("--days", default=7, show_default=True, type=int,
                  help="keep unattached photos uploaded within this many days")
    def photos_prune(days):
        """Delete photos that were uploaded but never attached to a finding or a rectification report."""
        from inspect_loop.web.uploads import prune_unattached_photos

        try:
            deleted, files = prune_unattached_photos(days)
        except DomainError as error:
            _fail(error)
        db.session.commit()
        for path in files:
            path.unlink(missing_ok=True)
        click.echo(f"已删除 {deleted} 张上传后未使用的照片 (deleted {deleted} photos never attached)")

    from inspect_loop.generator import gen_data

    app.cli.add_command(gen_data)

    imports = click.Group("import", help="Import units or the hazard catalogue from an .xlsx or .csv file: every "
                                         "row, or none when any row is bad.")
    app.cli.add_command(imports)

    def run_file_import(kind_name: str, path: str, username: str | None):
        from inspect_loop.imports.kinds import KINDS
        from inspect_loop.imports.reading import read_table
        from inspect_loop.imports.running import run_import

        kind = KINDS[kind_name]
        actor = _importing_user(username)
        with open(path, "rb") as file:
            content = file.read()
        try:
            report = run_import(kind, actor, read_table(path, content))
        except DomainError as error:
            _fail(error)
        if not report.ok:
            db.session.rollback()
            for error in report.errors:
                click.echo(error.line(), err=True)
            raise click.ClickException(f"{report.bad_rows} 行有错误，未导入任何数据 "
                                       f"({report.bad_rows} bad rows, nothing imported)")
        db.session.commit()
        click.echo(f"已导入 {report.imported} 条{kind.title}：{report.summary_zh()} (imported {report.imported} rows: "
                   f"{report.created} created, {report.updated} updated, {report.unchanged} unchanged)")

    as_option = click.option("--as", "username", help="the user the import is recorded as; default: the first "
                                                      "active administrator")

    @imports.command("units")
    @click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
    @as_option
    def import_units(path, username):
        """Import units (被检查单位) from FILE (.xlsx or .csv, the columns of the import template)."""
        run_file_import("units", path, username)

    @imports.command("hazards")
    @click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
    @as_option
    def import_hazards(path, username):
        """Import hazard types (隐患目录) from FILE (.xlsx or .csv, the columns of the import template)."""
        run_file_import("hazards", path, username)

    users = click.Group("users", help="Manage users and API tokens.")
    app.cli.add_command(users)

    @users.command("create")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
    @click.option("--department", "department_code", help="department code (required for office roles)")
    @click.option("--password", help="login password; generated and printed when omitted")
    def users_create(username, role, department_code, password):
        generated = password is None
        while password is None or (generated and password_problem(password, username)):
            # A random password may happen to contain a short username ("li"), which the rule refuses.
            password = secrets.token_urlsafe(12)
        try:
            department = department_by_code(department_code) if department_code else None
            user = create_user(username=username, role=Role(role), department=department, password=password)
        except DomainError as error:
            _fail(error)
        db.session.commit()
        click.echo(f"已创建用户 {user.username} ({user.role})")
        if generated:
            click.echo(f"初始密码: {password}")

    @users.command("token")
    @click.argument("username")
    def users_token(username):
        """Print a new API token for USERNAME as the last line."""
        user = _user_named(username)
        token = issue_api_token(user)
        db.session.commit()
        click.echo(token)

    @users.command("revoke-tokens")
    @click.argument("username")
    def users_revoke_tokens(username):
        """Revoke every API token of USERNAME (e.g. a leaked token, or a system that is retired)."""
        user = _user_named(username)
        count = revoke_api_tokens(user)
        db.session.commit()
        click.echo(f"已吊销 {user.username} 的 {count} 个访问令牌 (revoked {count} tokens)")
