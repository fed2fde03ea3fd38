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
from inspect_loop.users.operations import create_user, issue_api_token


def _fail(error: DomainError):
    db.session.rollback()
    raise click.ClickException(f"{error.message_zh} ({error.message_en})")


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

    from inspect_loop.generator import gen_data

    app.cli.add_command(gen_data)

    users = click.Group("users", help="Manage users and API tokens.")
    app.cli.add_command(users)

    @users.command("create")
    @click.argument("username")
    @click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
    @click.option("--department", "department_code", help="department code (required for office roles)")
    @click.option("--password", help="login password; generated and printed when omitted")
    def users_create(username, role, department_code, password):
        generated = password is None
        if generated:
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
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            raise click.ClickException(f"用户 {username} 不存在 (no such user)")
        token = issue_api_token(user)
        db.session.commit()
        click.echo(token)
