"""What every request pays once (docs/performance.md, "Per-request cost and templates"): the page language's
catalogue looked up once per request yet following a change of language at once, the signed-in user loaded
with the header's department in one statement, and the template helpers that replaced per-cell macros."""

import flask_babel
from flask import render_template_string
from flask_babel import force_locale, gettext, lazy_gettext, refresh
from sqlalchemy import event

from inspect_loop.db import db
from inspect_loop.users.models import Role
from inspect_loop.web.auth import load_user
from inspect_loop.web.formatting import stat_number
from inspect_loop.web.i18n import page_gettext
from inspect_loop.web.labels import label


def test_a_page_looks_the_language_up_once(login, monkeypatch):
    client = login("office")
    client.get("/office?lang=en")
    lookups = []
    looked_up = flask_babel.Domain.get_translations
    monkeypatch.setattr(flask_babel.Domain, "get_translations",
                        lambda domain: lookups.append(domain) or looked_up(domain))
    page = client.get("/office").get_data(as_text=True)
    assert "Workbench" in page and "工作台" not in page
    assert len(lookups) == 1


def test_a_change_of_language_within_a_request_holds_at_once(app):
    with app.test_request_context("/?lang=en"):
        assert render_template_string("{{ _('菜单') }}") == "Menu"
        assert (gettext("菜单"), str(lazy_gettext("菜单")), label(Role.admin)) == ("Menu", "Menu", "System administrator")
        with force_locale("zh_CN"):
            assert render_template_string("{{ _('菜单') }}") == "菜单"
            assert (gettext("菜单"), label(Role.admin)) == ("菜单", "系统管理员")
        assert render_template_string("{{ _('菜单') }}") == "Menu"
        refresh()
        assert gettext("菜单") == "Menu"


def test_outside_any_request_the_texts_stay_chinese(app):
    assert page_gettext("菜单") == "菜单"
    assert label(Role.admin) == "系统管理员"
    with app.app_context():
        assert page_gettext("菜单") == "菜单"


def test_template_translation_escapes_its_values_and_reads_percent_signs(app):
    with app.test_request_context("/"):
        rendered = render_template_string("{{ _('%(n)s%%：%(name)s', n=5, name='<b>') }}")
    assert rendered == "5%：&lt;b&gt;"


def test_the_signed_in_user_comes_with_the_department_in_one_statement(county):
    login_id, department_name = county.users.east.get_id(), county.users.east.department.name
    db.session.expunge_all()
    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert load_user(login_id).department.name == department_name
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(statements) == 1


def test_figures_of_the_statistics_tables(app):
    assert [stat_number(1234567), stat_number(0), stat_number(None)] == ["1,234,567", "0", "—"]
    assert [stat_number(0.975, True), stat_number(0, True), stat_number(1, True)] == ["97.5%", "0.0%", "100.0%"]


def test_a_risk_badge_names_its_own_colour(app):
    page = ("{% import 'macros.html' as m %}{{ m.risk_badge('red') }}|{{ m.risk_badge('purple') }}|"
            "{{ m.risk_word('yellow') }}|{{ m.risk_word(none) }}")
    with app.test_request_context("/?lang=en"):
        rendered = render_template_string(page)
    assert rendered.split("|") == [
        '<span class="risk risk-red"><span class="risk-dot" aria-hidden="true"></span>Red · high risk</span>',
        '<span class="risk risk-purple"><span class="risk-dot" aria-hidden="true"></span> · </span>',
        '<span class="risk risk-yellow" title="Risk"><span class="risk-dot" aria-hidden="true"></span>Yellow</span>',
        '<span class="risk risk-None" title="Risk"><span class="risk-dot" aria-hidden="true"></span></span>',
    ]
