"""Control and invisible formatting characters on the pages: every posted form refuses them, naming the
field, and changes nothing; imports report them per row (a NUL was a server error on PostgreSQL); and every
.xlsx export still answers for rows stored before the rule (a U+0001 in a unit name was a 500)."""

import re
from io import BytesIO
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from wtforms import PasswordField, StringField
from wtforms.fields.core import UnboundField

from inspect_loop.db import db
from inspect_loop.inspections.models import Inspection
from inspect_loop.regions.models import Region
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.operations import issue_api_token
from inspect_loop.web.posted_text import PASSWORD_FIELDS, field_label, is_multiline
from tests.factories import PASSWORD, inspect, make_uscc
from tests.helpers import at
from tests.web.test_imports import UNIT_HEADER, csv_file, report_rows, upload, xlsx_file


def count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def text_of(response) -> str:
    return response.get_data(as_text=True)


# -- forms ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "兰江副食品\x01商店", "“名称”含有控制字符（U+0001）"),
    ("address", "兰荫路\u202e2号", "“地址”含有文字方向控制字符（U+202E）"),
    ("name", "兰江副食品\r\n商店", "“名称”含有换行符或制表符（U+000D）"),
    ("contact_name", "李\u200b四", "“联系人”含有不可见的格式字符（U+200B）"),
])
def test_a_unit_form_with_a_refused_character_is_refused_naming_the_field(login, county, field, value, message):
    form = {"name": "兰江副食品商店", "region": str(county.east.id), "address": "兰荫路2号", "category": "商铺",
            field: value}
    before = count(Unit)
    response = login("office").post("/units/new", data=form)
    assert response.status_code == 400
    assert message in text_of(response)
    assert count(Unit) == before


@at("2026-03-02")
def test_inspection_notes_keep_their_line_breaks_and_refuse_a_bidi_override(login, county):
    client = login("inspector")
    path = f"/units/{county.units.shop.id}/inspect"
    hazard = county.hazards["XF-01"]
    form = {"kind": "unannounced", "hazard": str(hazard.id), f"description_{hazard.id}": "应急照明\u202e未接电",
            "notes": "第一行\r\n第二行"}
    refused = client.post(path, data=form)
    assert refused.status_code == 400
    assert "“问题描述”含有文字方向控制字符（U+202E）" in text_of(refused)
    assert count(Inspection) == 0
    refused = client.post(path, data={**form, f"description_{hazard.id}": "应急照明未接电", "notes": "备\x7f注"})
    assert refused.status_code == 400 and "“备注”含有控制字符（U+007F）" in text_of(refused)
    assert count(Inspection) == 0
    recorded = client.post(path, data={**form, f"description_{hazard.id}": "应急照明\t未接电"})
    assert recorded.status_code == 302
    assert db.session.scalar(select(Inspection.notes)) == "第一行\r\n第二行"


def test_a_username_with_an_invisible_character_is_refused(login, county):
    response = login("root").post("/admin/users/new", data={
        "username": "ins\u200bpector", "role": "inspector", "department": "0", "password": "Lanxi-field-2026",
        "repeat": "Lanxi-field-2026"})
    assert response.status_code == 400 and "“用户名”含有不可见的格式字符（U+200B）" in text_of(response)
    assert db.session.scalar(select(func.count(User.id)).where(User.username == "ins\u200bpector")) == 0


def test_a_password_is_hashed_not_shown_so_any_character_may_stay_in_it(login, anonymous, county):
    password = "Lanxi-\u200b田野-\U0001f477\u200d\u2642\ufe0f-2026"
    changed = login("inspector").post("/account/password", data={"current": PASSWORD, "new": password,
                                                                 "repeat": password})
    assert changed.status_code == 302
    assert anonymous.post("/login", data={"username": "inspector", "password": password}).status_code == 302


def test_the_refusal_is_in_english_on_english_pages(login, county):
    client = login("office")
    client.get("/units?lang=en")
    response = client.post("/units/new", data={"name": "a\x01b", "region": str(county.east.id)})
    assert response.status_code == 400
    assert "“Name” contains a control character (U+0001)" in text_of(response)


# -- imports -------------------------------------------------------------------------------------------

def test_a_nul_in_a_csv_import_is_reported_on_its_row(login, county):
    """On PostgreSQL the NUL reached the database, which refused it: a server error."""
    rows = [UNIT_HEADER,
            ["兰江副食品商店", make_uscc(101), "330781001", "兰荫路2号", "商铺", "李四", "13900000001"],
            ["郑宅村文化\x00礼堂", "", "330781101201", "马涧镇郑宅村", "公共场所", "", ""]]
    response = upload(login("root"), "/imports/units", csv_file(rows), "units.csv")
    assert response.status_code == 400
    assert report_rows(response) == [("3", "单位名称", "含有控制字符（U+0000），请清空该单元格后重新填写")]
    assert count(Unit) == 3


def test_a_bidi_override_in_an_xlsx_import_is_reported_on_its_row(login, county):
    rows = [UNIT_HEADER, ["兰江副食品商店", "", "330781001", "兰荫路\u202e2号", "商铺", "", ""]]
    response = upload(login("root"), "/imports/units", xlsx_file(rows), "units.xlsx")
    assert report_rows(response) == [("2", "地址", "含有文字方向控制字符（U+202E），请清空该单元格后重新填写")]
    assert count(Unit) == 3


# -- exports of rows stored before the rule ------------------------------------------------------------

EXPORTS = ["/units.xlsx", "/units.xlsx?q=%01", "/office?format=xlsx", "/office?format=xlsx&q=%01",
           "/office/today/overdue_findings?format=xlsx", "/dashboard/overdue.xlsx", "/dashboard/risk.xlsx",
           "/ranking.xlsx?month=2026-03", "/api/v1/stats/overdue?format=xlsx", "/api/v1/stats/risk?format=xlsx"]


@pytest.fixture
def stored_before_the_rule(county):
    """A unit and a township whose names hold control characters, as rows stored before the rule may."""
    with at("2026-03-02"):
        inspect(county, county.units.shop, "XF-01")
    db.session.execute(update(Unit).where(Unit.id == county.units.shop.id).values(name="某电子\x01商务商行\x1b"))
    db.session.execute(update(Region).where(Region.id == county.east.id).values(name="兰江\x02街道"))
    db.session.commit()
    return issue_api_token(county.users.office)


@pytest.mark.parametrize("path", EXPORTS)
def test_every_export_answers_for_rows_stored_before_the_rule(login, county, stored_before_the_rule, path):
    headers = {"Authorization": f"Bearer {stored_before_the_rule}"} if path.startswith("/api/") else {}
    with at("2026-03-31"):
        response = login("office").get(path, headers=headers)
    assert response.status_code == 200, text_of(response)[:300]
    workbook = load_workbook(BytesIO(response.data))
    cells = [str(cell.value) for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row
             if cell.value is not None]
    assert not any(character in value for value in cells for character in "\x00\x01\x02\x1b")
    assert any("某电子\ufffd商务商行\ufffd" in value or "兰江\ufffd街道" in value for value in cells)


@pytest.mark.parametrize("path", ["/units.xlsx?q=%01", "/office?format=xlsx&q=a%1Fb", "/admin/users?format=xlsx&q=%08"])
def test_a_search_typed_with_a_control_character_still_exports(login, county, path):
    """The search is written on the notes sheet: a control character in it was a 500."""
    response = login("root").get(path)
    assert response.status_code == 200
    load_workbook(BytesIO(response.data))


# -- the forms and the gate agree ----------------------------------------------------------------------

def fields_of_posted_forms() -> tuple[set[str], set[str]]:
    """The names of the text inputs and of the textareas in the templates' POST forms and in the partial
    templates they include (``{{ … }}`` in a name left out: ``description_{{ hazard.id }}`` → ``description_``)."""
    inputs, textareas = set(), set()
    for template in Path("templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        partial = template.name.startswith("_")
        for form in [text] if partial else re.findall(r'<form\b[^>]*method="post".*?</form>', text, re.S):
            for tag, attributes in re.findall(r"<(input|textarea)\b([^>]*)>", form):
                name = re.search(r'name="([^"]*)"', attributes)
                kind = re.search(r'type="([^"]*)"', attributes)
                if name is None or (kind and kind.group(1) in ("hidden", "checkbox", "radio", "file", "submit")):
                    continue
                (textareas if tag == "textarea" else inputs).add(re.sub(r"\{\{.*?\}\}", "", name.group(1)))
    return inputs, textareas


def string_fields_of_wtforms(kind=StringField) -> set[str]:
    def subclasses(cls):
        for subclass in cls.__subclasses__():
            yield subclass
            yield from subclasses(subclass)

    return {name for form in subclasses(FlaskForm) if form.__module__.startswith("inspect_loop.")
            for name, field in vars(form).items()
            if isinstance(field, UnboundField) and issubclass(field.field_class, kind)}


def test_every_posted_text_field_has_a_label_and_only_textareas_take_line_breaks():
    inputs, textareas = fields_of_posted_forms()
    assert {"venue", "decision_no"} <= inputs and {"notes", "description_"} <= textareas  # the scan works
    assert string_fields_of_wtforms(PasswordField) == PASSWORD_FIELDS
    wtforms = string_fields_of_wtforms() - PASSWORD_FIELDS
    assert {"username", "contact_phone"} <= wtforms
    assert {name for name in inputs | textareas | wtforms if field_label(name) == "提交的内容"} == set()
    assert {name for name in textareas if not is_multiline(name)} == set()
    # (A one-line note or reason, as on the round and case pages, is a multi-line field through the API too.)
    assert {name for name in inputs | wtforms if is_multiline(name)} <= {"note", "reason"}
