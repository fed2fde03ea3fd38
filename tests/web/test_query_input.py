"""Query strings no page can use answer a clear message or an empty page, never a server error, and change
nothing (``web/arguments.py``). Each of these was a 500."""

import pytest

from inspect_loop.api.stats import stats_townships  # noqa: F401  (registers the /stats routes)
from inspect_loop.users.operations import issue_api_token
from tests.helpers import at

HUGE = "99999999999999999999"


@pytest.mark.parametrize("path", ["/units", "/office", "/office/rounds", "/admin/users", "/units/{unit}",
                                  "/office/exposures"])
def test_a_page_past_any_list_is_an_empty_page(login, county, path):
    response = login("root").get(path.format(unit=county.units.shop.id) + f"?page={HUGE}")
    assert response.status_code == 200


def test_an_id_beyond_any_row_is_not_found(login, county):
    client = login("root")
    assert client.get(f"/units/{2 ** 63}").status_code == 404
    assert client.get(f"/units?township={HUGE}").status_code == 200  # an id that names nothing filters nothing


@pytest.mark.parametrize(("path", "message"), [("/dashboard?to=9999-12-31", "结束日期应在2000-01-01至2099-12-31之间"),
                                               ("/ranking?month=0001-01", "月份应在2000-01至2099-12之间")])
def test_a_period_beyond_the_years_2000_to_2099_is_refused_above_the_default_figures(login, county, path, message):
    with at("2026-07-10"):
        response = login("office").get(path)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_a_month_before_the_year_2000_is_refused_by_the_ranking_api(client, county):
    token = issue_api_token(county.users.viewer)
    response = client.get("/api/v1/stats/townships?month=0001-01", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "month"
    assert "月份应在2000-01至2099-12之间" in response.get_json()["error"]["message"]


def test_a_huge_year_of_the_rounds_filters_nothing(login, county):
    assert login("office").get(f"/office/rounds?year={HUGE}").status_code == 200
    assert login("office").get(f"/office/rounds?year={HUGE}&format=xlsx").status_code == 200


def test_an_unknown_format_is_refused_with_a_message(login, county):
    response = login("east").get("/inbox?format=x")
    assert response.status_code == 400
    assert "只能导出为Excel文件（xlsx）" in response.get_data(as_text=True)
    assert login("office").get("/office?format=pdf").status_code == 400
    assert login("office").get("/office?format=").status_code == 200


@pytest.mark.parametrize("name", ["endpoint", "unit_id"])
def test_a_query_parameter_named_like_an_argument_of_url_for_is_left_out_of_the_links(login, county, name):
    """Every page's language switch (and pager, and download link) passed the query string on to url_for."""
    response = login("root").get(f"/units/{county.units.shop.id}?{name}=x")
    assert response.status_code == 200


def test_a_meeting_time_in_the_year_1_is_refused(login, county):
    response = login("office").post("/office/rounds/new", data={"held_at": "0001-01-01T00:00", "venue": "站"})
    assert response.status_code == 400
    assert "约谈时间应在2000-01-01至2099-12-31之间" in response.get_data(as_text=True)
