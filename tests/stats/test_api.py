"""``/api/v1/stats/…``: bearer token, ``view_stats``, JSON errors naming the field, .xlsx downloads."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from inspect_loop.stats import summary, township_ranking
from inspect_loop.users.operations import issue_api_token
from tests.factories import inspect
from tests.helpers import at

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tokens(county, database):
    users = county.users
    issued = {name: issue_api_token(getattr(users, name)) for name in ("viewer", "inspector", "east", "office")}
    database.session.commit()
    return issued


def get(client, token, url):
    with at("2026-07-10"):
        return client.get(url, headers={"Authorization": f"Bearer {token}"} if token else {})


def test_summary_json_is_the_summary(year, client, tokens):
    response = get(client, tokens["viewer"], "/api/v1/stats/summary?from=2026-03-01&to=2026-06-30&region=330781001")
    assert response.status_code == 200
    with at("2026-07-10"):
        expected = summary(date(2026, 3, 1), date(2026, 6, 30), "330781001")
    assert response.get_json() == expected
    assert response.get_json()["units_rectified_on_time"] == 2


def test_summary_defaults_to_the_year_so_far_of_every_region_for_a_leader(year, client, tokens):
    body = get(client, tokens["viewer"], "/api/v1/stats/summary").get_json()
    assert body["period"] == {"from": "2026-01-01", "to": "2026-07-10", "region": None}
    assert body["interview_rounds"] == 3


def test_summary_defaults_to_the_readers_own_township(year, client, tokens):
    body = get(client, tokens["east"], "/api/v1/stats/summary").get_json()
    assert body["period"]["region"] == {"code": "330781001", "level": "township", "name": "兰江街道"}


def test_townships_json_and_xlsx(year, client, tokens):
    response = get(client, tokens["office"], "/api/v1/stats/townships?month=2026-03")
    assert response.status_code == 200
    with at("2026-07-10"):
        assert response.get_json() == township_ranking("2026-03")
    assert [row["township_name"] for row in response.get_json()["rows"]] == ["马涧镇", "兰江街道"]

    download = get(client, tokens["office"], "/api/v1/stats/townships?month=2026-03&format=xlsx")
    assert download.status_code == 200 and download.mimetype == XLSX
    assert download.headers["Content-Disposition"] == "attachment; filename=township-ranking-2026-03.xlsx"
    sheet = load_workbook(BytesIO(download.data)).worksheets[0]
    assert (sheet["A2"].value, sheet["C2"].value, sheet["D2"].value) == (1, "马涧镇", 74)


def test_summary_xlsx(year, client, tokens):
    download = get(client, tokens["viewer"], "/api/v1/stats/summary?from=2026-03-01&to=2026-06-30&format=xlsx")
    assert download.status_code == 200 and download.mimetype == XLSX
    assert "filename=stats-summary-2026-03-01-2026-06-30.xlsx" in download.headers["Content-Disposition"]
    workbook = load_workbook(BytesIO(download.data))
    values = {row[2].value: row[1].value for row in workbook.worksheets[0].iter_rows(min_row=2)}
    assert values["units_interviewed"] == 4 and values["recurrence.units_eligible"] == 3
    assert workbook.sheetnames[1] == "口径说明"


@pytest.mark.parametrize(("query", "status", "field"), [
    ("from=2026-02-30&to=2026-06-30", 400, "from"),
    ("from=2026-03-01&to=20260630", 400, "to"),
    ("from=yesterday", 400, "from"),
    ("from=2026-06-30&to=2026-03-01", 400, "from"),
    ("from=2026-03-01&to=2026-06-30&region=000000", 404, "region"),
    ("from=2026-03-01&to=2026-06-30&region=330781101201", 400, "region"),
    ("format=pdf", 400, "format"),
])
def test_bad_input_names_the_field(client, tokens, query, status, field):
    response = get(client, tokens["viewer"], f"/api/v1/stats/summary?{query}")
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["field"] == field and error["code"] == ("not_found" if status == 404 else "invalid")
    assert error["message"]


def test_ranking_bad_month(client, tokens):
    response = get(client, tokens["viewer"], "/api/v1/stats/townships?month=2026-3")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "month"


def test_token_and_role_are_required(client, tokens):
    assert get(client, None, "/api/v1/stats/summary").status_code == 401
    assert get(client, "il_not-a-token", "/api/v1/stats/townships").status_code == 401
    forbidden = get(client, tokens["inspector"], "/api/v1/stats/summary")
    assert forbidden.status_code == 403 and forbidden.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("path", ["trend", "categories", "sectors", "risk", "overdue"])
def test_breakdowns_answer_json_and_xlsx(year, client, tokens, path):
    query = "from=2026-03-01&to=2026-06-30" if path in ("trend", "categories", "sectors") else "limit=5"
    body = get(client, tokens["viewer"], f"/api/v1/stats/{path}?{query}").get_json()
    assert body["rows"]
    download = get(client, tokens["viewer"], f"/api/v1/stats/{path}?{query}&format=xlsx")
    assert download.mimetype == XLSX
    sheet = load_workbook(BytesIO(download.data)).worksheets[0]
    assert sheet.max_row == len(body["rows"]) + 1


def test_overdue_limit_is_validated(client, tokens):
    response = get(client, tokens["viewer"], "/api/v1/stats/overdue?limit=0")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "limit"


def test_an_unsupervised_township_reads_the_same_in_json_and_xlsx(county, database, client, tokens):
    """兰江街道 inspected in June, 马涧镇 not: the API says so ("supervised": false, no rank or score), and its
    workbook says 本月未督查 in the score's place."""
    with at("2026-06-03", 10):
        inspect(county, county.units.shop)
    database.session.commit()
    county_rows = get(client, tokens["office"], "/api/v1/stats/townships?month=2026-06").get_json()["rows"]
    assert [(row["township_name"], row["supervised"], row["rank"], row["score"], row["change"])
            for row in county_rows] == [("兰江街道", True, 1, 100.0, None), ("马涧镇", False, None, None, None)]
    download = get(client, tokens["office"], "/api/v1/stats/townships?month=2026-06&format=xlsx")
    sheet = load_workbook(BytesIO(download.data)).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    rows = [dict(zip(headers, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [(row["排名"], row["乡镇（街道）"], row["得分"], row["名次变化"]) for row in rows] == [
        (1, "兰江街道", 100, None), (None, "马涧镇", "本月未督查", None)]
