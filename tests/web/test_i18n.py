"""Chinese by default, English with ?lang=en (docs/i18n.md): the English catalogue covers every string the pages
extract, keeps their placeholders, and the pages of every role read in English; the choice stays in the session.
"""

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po
from sqlalchemy import JSON, String, Text, select

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.cases.models import Case, Stage
from inspect_loop.db import db
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.labels import ENUM_LABELS
from inspect_loop.stats.definitions import BREAKDOWNS, RANKING_COLUMNS, SUMMARY_FIGURES
from inspect_loop.stats.excel import WEIGHT_LABELS
from tests.factories import inspect
from tests.helpers import at

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# Han characters and the full-width punctuation of Chinese text (，。：（）“” …).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\((\w+)\)s|\{(\w+)\}")
# The start page of each role (``web.navigation.HOME_ENDPOINTS``), by a user of the test county.
# Chinese names a few translations quote as the reader meets them: a sheet of the import template, sector
# names of the catalogue, a document number.
QUOTED_NAMES = ("兰平安交〔2026〕12号", "“兰平安”", "“填写说明”", "“区划代码”", "“行业”", "消防 (fire)",
                "电动自行车 (e-bikes)")
START_PAGES = {"root": "/admin", "office": "/office", "east": "/inbox", "fire": "/inbox", "inspector": "/today",
               "viewer": "/dashboard"}


def strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def ids(message) -> tuple[str, ...]:
    return message.id if isinstance(message.id, tuple) else (message.id,)


@pytest.fixture(scope="module")
def catalogue():
    with PO_FILE.open("rb") as file:
        return read_po(file, locale="en")


def extract(tmp_path) -> list:
    """A fresh extraction, exactly as docs/i18n.md tells a page author to run it."""
    template = tmp_path / "messages.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_gettext", "-o", str(template), str(ROOT)])
    with template.open("rb") as file:
        return [message for message in read_po(file) if message.id]


def where(message) -> str:
    return ", ".join(sorted({str(Path(path).relative_to(ROOT)) for path, _line in message.locations}))


def translated(catalogue, msgid: str) -> bool:
    message = catalogue.get(msgid)
    return message is not None and not message.fuzzy and all(strings(message))


# -- the catalogue --------------------------------------------------------------------------------------

def test_every_string_of_the_pages_has_an_english_translation(tmp_path, catalogue):
    extracted = extract(tmp_path)
    assert len(extracted) > 500  # the extraction found the templates and the Python modules
    untranslated = [f"  {message.id!r}  ({where(message)})" for message in extracted
                    if not translated(catalogue, message.id)]
    assert not untranslated, (
        "These strings have no English translation in translations/en/LC_MESSAGES/messages.po; update the "
        "catalogue and translate them (docs/i18n.md):\n" + "\n".join(untranslated))


def test_the_catalogue_has_no_empty_fuzzy_or_obsolete_entry(catalogue):
    assert not catalogue.fuzzy
    unfinished = [message.id for message in catalogue if message.id and not translated(catalogue, message.id)]
    assert not unfinished, f"empty or fuzzy translations: {unfinished}"
    assert not catalogue.obsolete, f"obsolete entries (pybabel update --ignore-obsolete): {list(catalogue.obsolete)}"


def test_translations_keep_the_placeholders_of_their_source(catalogue):
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        expected = {name for source in ids(message) for name in PLACEHOLDER.findall(source)}
        for text in strings(message):
            if {name for name in PLACEHOLDER.findall(text)} != expected:
                wrong.append(f"{message.id!r} → {text!r}")
        wrong.extend(f"{message.id!r}: {error}" for error in message.check(catalogue))
    assert not wrong, "\n".join(wrong)


def without_quoted_names(text: str) -> str:
    for name in QUOTED_NAMES:
        text = text.replace(name, "")
    return text


def test_english_text_has_no_chinese_but_quoted_names(catalogue):
    chinese = [f"{message.id!r} → {text!r}" for message in catalogue if message.id for text in strings(message)
               if CJK.search(without_quoted_names(text))]
    assert not chinese, "\n".join(chinese)


def test_names_of_the_statistics_are_translated(catalogue):
    """The dashboard and the 月晾晒 show these names translated (their definitions stay the official Chinese)."""
    names = [name for _key, name, _definition in [*SUMMARY_FIGURES, *RANKING_COLUMNS]]
    for title, columns in BREAKDOWNS.values():
        names += [title, *(header for _key, header, _definition in columns)]
    names += [*WEIGHT_LABELS.values(), *ENUM_LABELS[Stage].values()]
    missing = sorted({name for name in names if not translated(catalogue, name)})
    assert not missing, f"mark these names with N_() in inspect_loop/stats and translate them: {missing}"


# -- the pages --------------------------------------------------------------------------------------------

class VisibleText(HTMLParser):
    """The text a reader sees or hears: text nodes and labelling attributes; not scripts, not the language
    switch (it names the other language in that language), not the official 口径 definitions."""

    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "data-label")
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.open: list[tuple[str, bool, bool]] = []  # (tag, hides its content, is the 口径 <details>)

    def hidden(self) -> bool:
        return any(hides for _tag, hides, _definitions in self.open)

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        in_definitions = any(definitions for _tag, _hides, definitions in self.open)
        hides = tag in ("script", "style") or (tag == "a" and "lang" in classes) or (tag == "dd" and in_definitions)
        if not hides and not self.hidden():
            self.parts += [value for name, value in attrs
                           if value and (name in self.ATTRIBUTES or name.startswith("data-msg"))]
        if tag not in self.VOID:
            self.open.append((tag, hides, tag == "details" and "dash-definitions" in classes))

    def handle_endtag(self, tag):
        if any(opened == tag for opened, _hides, _definitions in self.open):
            while self.open.pop()[0] != tag:
                pass

    def handle_data(self, data):
        if not self.hidden() and data.strip():
            self.parts.append(data.strip())


def stored_texts() -> list[str]:
    """Every text the database holds (names, addresses, titles, numbers…), longest first: user data may be
    Chinese on an English page."""
    texts = set()

    def collect(value):
        if isinstance(value, str):
            texts.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, String | Text | JSON)]
        if columns:
            for row in db.session.execute(select(*columns)):
                for value in row:
                    collect(value)
    return sorted((text for text in texts if CJK.search(text)), key=len, reverse=True)


def chinese_left(html: str, data: list[str]) -> list[str]:
    """The pieces of visible text that still hold Chinese once user data is taken out."""
    parser = VisibleText()
    parser.feed(html)
    left = []
    for part in parser.parts:
        for text in data:
            part = part.replace(text, " ")
        if CJK.search(without_quoted_names(part)):
            left.append(part)
    return left


def assert_english(response, data):
    assert response.status_code == 200, response.status_code
    html = response.get_data(as_text=True)
    assert '<html lang="en">' in html
    assert not chinese_left(html, data), chinese_left(html, data)


@pytest.fixture
def loop_data(county):
    """A case at each stage of the loop and an assignment order, so the pages have rows to show."""
    with at("2026-03-02"):
        reminder = inspect(county, county.units.market, "SP-01")
        warning = inspect(county, county.units.shop, "XF-01", "SC-01")
    with at("2026-03-12"):
        inspect(county, county.units.shop, kind=InspectionKind.reinspection,
                verified=[(finding, False) for finding in warning.findings])
        case = db.session.get(Case, warning.case_id)
        assignment = issue_assignment(county.users.office, case, county.fire)
    db.session.commit()
    return {"reminder_case": reminder.case_id, "warning_case": case.id, "assignment": assignment.id}


@pytest.mark.parametrize("username", sorted(START_PAGES))
def test_pages_are_chinese_by_default(login, username):
    response = login(username).get("/", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in html and "退出登录" in html and "Log out" not in html


@pytest.mark.parametrize("username", sorted(START_PAGES))
def test_the_start_page_of_every_role_reads_in_english(login, loop_data, username):
    client = login(username)
    start = client.get("/")
    assert start.headers["Location"] == START_PAGES[username]
    response = client.get(START_PAGES[username] + "?lang=en")
    assert_english(response, stored_texts())
    html = response.get_data(as_text=True)
    assert "Log out" in html and "Change password" in html and "Safety Loop" in html


@pytest.mark.parametrize("username, pages", [
    ("office", ["/units", "/units/{unit}", "/office/cases/{warning_case}", "/office/cases/{reminder_case}",
                "/office/today/overdue_findings", "/office/rounds", "/office/rounds/new", "/office/exposures",
                "/office/exposures/new", "/ranking", "/dashboard", "/account/password"]),
    ("fire", ["/inbox/{assignment}", "/units/{unit}"]),
    ("east", ["/inbox/{assignment}"]),
    ("inspector", ["/today?tab=reinspections", "/units/{unit}/inspect", "/units/{market}/verify"]),
    ("root", ["/admin/users", "/admin/users/new", "/admin/regions", "/admin/departments", "/admin/hazards",
              "/admin/hazards/new"]),
])
def test_main_pages_read_in_english(login, county, loop_data, username, pages):
    client = login(username)
    client.get("/account/password?lang=en")
    data = stored_texts()
    ids_ = {**loop_data, "unit": county.units.shop.id, "market": county.units.market.id}
    for page in pages:
        url = page.format(**ids_)
        response = client.get(url)
        assert response.status_code == 200, url
        assert not chinese_left(response.get_data(as_text=True), data), (url, chinese_left(
            response.get_data(as_text=True), data))


def test_public_and_error_pages_read_in_english(anonymous):
    login_page = anonymous.get("/login?lang=en")
    assert_english(login_page, [])
    assert "Log in" in login_page.get_data(as_text=True)
    assert_english(anonymous.get("/exposures"), [])
    missing = anonymous.get("/no-such-page")
    assert missing.status_code == 404
    assert "Page not found" in missing.get_data(as_text=True)
    assert not chinese_left(missing.get_data(as_text=True), [])


def test_the_choice_stays_in_the_session_until_chinese_is_chosen(login):
    client = login("office")
    assert "Unit search" in client.get("/units?lang=en").get_data(as_text=True)
    assert "Unit search" in client.get("/units").get_data(as_text=True)
    assert '<html lang="en">' in client.get("/office").get_data(as_text=True)
    back = client.get("/units?lang=zh").get_data(as_text=True)
    assert "单位查询" in back and '<html lang="zh-CN">' in back
    assert "单位查询" in client.get("/units").get_data(as_text=True)


def test_the_language_link_switches_both_ways(login):
    client = login("office")
    chinese = client.get("/units").get_data(as_text=True)
    to_english = re.search(r'<a class="lang" href="([^"]+)">English</a>', chinese).group(1)
    english = client.get(to_english.replace("&amp;", "&")).get_data(as_text=True)
    assert '<html lang="en">' in english
    to_chinese = re.search(r'<a class="lang" href="([^"]+)">中文</a>', english).group(1)
    assert '<html lang="zh-CN">' in client.get(to_chinese.replace("&amp;", "&")).get_data(as_text=True)


def test_the_choice_holds_on_a_page_that_redirects(login):
    """``/?lang=en`` only redirects to the start page; the choice is kept all the same."""
    client = login("office")
    response = client.get("/?lang=en", follow_redirects=True)
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_english_messages_after_a_form(login):
    client = login("office")
    client.get("/units?lang=en")
    logged_out = client.post("/logout", follow_redirects=True).get_data(as_text=True)
    assert "You have logged out" in logged_out and '<html lang="en">' in logged_out


def test_a_list_export_follows_the_page_language(login, loop_data):
    from io import BytesIO

    from openpyxl import load_workbook

    client = login("office")
    client.get("/units?lang=en")
    workbook = load_workbook(BytesIO(client.get("/office?format=xlsx").data))
    sheet = workbook.worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers[:3] == ["Case no.", "Unit", "Unified social credit code"]
    notes = {row[0]: row[1] for row in workbook.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert "Exported at" in notes and notes["Stage"] == "All open"


def test_without_a_compiled_catalogue_pages_fall_back_to_chinese(tmp_path):
    """A plain ``pip install -e .`` has no .mo (it is build output): English falls back to the Chinese source
    text instead of failing. Run in its own process, since Flask-Babel caches translations per process."""
    script = f"""
from inspect_loop import create_app
app = create_app({{"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                   "BABEL_TRANSLATION_DIRECTORIES": {json.dumps(str(tmp_path))}}})
response = app.test_client().get("/login?lang=en")
print(response.status_code, "<title>登录 · 平安闭环</title>" in response.get_data(as_text=True))
"""
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["200", "True"], result.stderr
