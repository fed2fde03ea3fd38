"""Statistics and interview rounds answer each reader within its own area (issue 10): a county office reads
its county, a township office its township (and its county's 月晾晒), another county's region is refused on
the API, the pages and their downloads; leaders and the administrator read everywhere."""

from datetime import timedelta

import pytest

from inspect_loop import clock
from inspect_loop.cases.models import Case
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.interviews.operations import convene_round
from inspect_loop.users.operations import issue_api_token
from tests.factories import build_other_county, inspect
from tests.helpers import at

TODAY = "2026-07-10"
OTHER_COUNTY, OTHER_TOWNSHIP = "330782", "330782001"
OUR_COUNTY, EAST, WEST = "330781", "330781001", "330781101"
FIGURE_ROUTES = ["summary", "trend", "categories", "sectors", "risk", "overdue"]


@pytest.fixture
def other(county, database):
    other = build_other_county(county)
    database.session.commit()
    return other


def api_get(client, user, url):
    token = issue_api_token(user)
    with at(TODAY):
        return client.get(url, headers={"Authorization": f"Bearer {token}"})


@pytest.mark.parametrize("route", FIGURE_ROUTES)
@pytest.mark.parametrize("xlsx", [False, True], ids=["json", "xlsx"])
def test_another_countys_figures_are_refused_to_county_bound_readers(client, county, other, route, xlsx):
    users = county.users
    suffix = "&format=xlsx" if xlsx else ""
    for reader, region in [(users.office, OTHER_COUNTY), (users.office, OTHER_TOWNSHIP),
                           (users.fire, OTHER_COUNTY), (users.east, OUR_COUNTY), (users.east, WEST),
                           (other.users.township, OUR_COUNTY)]:
        refused = api_get(client, reader, f"/api/v1/stats/{route}?region={region}{suffix}")
        assert refused.status_code == 403, (reader.username, region)
        assert refused.get_json()["error"]["message"] == "只能查看本辖区的统计"
    for reader, region in [(users.office, OUR_COUNTY), (users.office, EAST), (users.fire, WEST),
                           (users.east, EAST), (users.viewer, OTHER_COUNTY), (users.admin, OTHER_TOWNSHIP)]:
        assert api_get(client, reader, f"/api/v1/stats/{route}?region={region}{suffix}").status_code == 200


@pytest.mark.parametrize(("username", "region"), [("office", OUR_COUNTY), ("fire", OUR_COUNTY), ("east", EAST),
                                                  ("viewer", None)])
def test_without_a_region_a_reader_gets_its_own(client, county, other, username, region):
    body = api_get(client, getattr(county.users, username), "/api/v1/stats/risk").get_json()
    assert body["region"] == region
    body = api_get(client, getattr(county.users, username), "/api/v1/stats/summary").get_json()
    assert (body["period"]["region"] or {}).get("code") == region


def test_a_township_office_reads_its_countys_ranking_and_no_other(client, county, other):
    east = county.users.east
    ranking = api_get(client, east, "/api/v1/stats/townships?month=2026-06")
    assert ranking.status_code == 200
    assert {row["township_code"] for row in ranking.get_json()["rows"]} == {EAST, WEST}
    assert api_get(client, east, f"/api/v1/stats/townships?region={OUR_COUNTY}").status_code == 200
    assert api_get(client, east, f"/api/v1/stats/townships?region={OTHER_COUNTY}").status_code == 403
    assert api_get(client, county.users.office, f"/api/v1/stats/townships?region={OTHER_COUNTY}").status_code == 403
    every = api_get(client, county.users.viewer, "/api/v1/stats/townships?month=2026-06").get_json()
    assert {row["township_code"] for row in every["rows"]} == {EAST, WEST, OTHER_TOWNSHIP}


def test_an_unknown_region_is_still_404_and_a_village_400(client, county, other):
    assert api_get(client, county.users.office, "/api/v1/stats/summary?region=999999").status_code == 404
    assert api_get(client, county.users.office, "/api/v1/stats/summary?region=330781101201").status_code == 400


def web_get(login, username, url):
    with at(TODAY):
        return login(username).get(url)


def test_the_dashboard_refuses_another_countys_region_and_offers_only_the_readers(login, county, other):
    page = web_get(login, "office", f"/dashboard?region={OTHER_COUNTY}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "只能查看本辖区的统计" in html
    assert f'value="{OUR_COUNTY}" selected' in html
    assert f'value="{OTHER_COUNTY}"' not in html and f'value="{OTHER_TOWNSHIP}"' not in html
    assert "全部区域" not in html
    township = web_get(login, "east", "/dashboard").get_data(as_text=True)
    assert f'value="{EAST}" selected' in township and f'value="{WEST}"' not in township
    leader = web_get(login, "viewer", "/dashboard").get_data(as_text=True)
    assert f'value="{OTHER_COUNTY}"' in leader and "全部区域" in leader


@pytest.mark.parametrize("path", ["/dashboard/summary.xlsx", "/dashboard/overdue.xlsx", "/dashboard/risk.xlsx",
                                  "/dashboard/trend.xlsx"])
def test_a_dashboard_download_of_another_county_is_refused(login, county, other, path):
    refused = web_get(login, "fire", f"{path}?region={OTHER_COUNTY}")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/dashboard")
    assert web_get(login, "viewer", f"{path}?region={OTHER_COUNTY}").status_code == 200


def test_the_ranking_page_shows_the_readers_county_only(login, county, other):
    html = web_get(login, "east", f"/ranking?region={OTHER_COUNTY}").get_data(as_text=True)
    assert "只能查看本辖区的统计" in html and "稠城街道" not in html
    assert f'value="{OTHER_COUNTY}"' not in html
    assert web_get(login, "east", f"/ranking.xlsx?region={OTHER_COUNTY}").status_code == 302


@pytest.fixture
def our_round(county, database):
    """A round of the test county (兰溪) summoning a case found unrectified at its re-inspection."""
    with at("2026-06-01", 9):
        found = inspect(county, county.units.shop, "XF-01")
    with at("2026-06-10", 9):
        inspect(county, county.units.shop, kind=InspectionKind.reinspection,
                verified=[(finding, False) for finding in found.findings])
        interview_round = convene_round(county.users.office, held_at=clock.now() + timedelta(days=2),
                                        venue="兰溪平安警示教育站", convened_by=county.office, departments=[],
                                        cases=[database.session.get(Case, found.case_id)])
    database.session.commit()
    return interview_round


def test_an_interview_round_is_read_only_in_its_county(client, county, other, our_round):
    url = f"/api/v1/interview-rounds/{our_round.id}"
    for reader in (other.users.township, other.users.office, other.users.fire):
        refused = api_get(client, reader, url)
        assert refused.status_code == 403, reader.username
    for reader in (county.users.east, county.users.office, county.users.fire, county.users.viewer):
        assert api_get(client, reader, url).status_code == 200, reader.username
    assert api_get(client, other.users.township, "/api/v1/interview-rounds/999999").status_code == 404


def test_a_county_bound_account_without_a_department_reads_nothing(client, county, database):
    """A township office whose department was lost (data mended by hand) is not a reader without bounds."""
    township = county.users.east
    token = issue_api_token(township)
    township.department = None
    database.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    with at(TODAY):
        for url in ("/api/v1/stats/summary", "/api/v1/stats/overdue", "/api/v1/units"):
            refused = client.get(url, headers=headers)
            assert refused.status_code == 403, url
            assert refused.get_json()["error"]["message"] == "该账号未指定所属部门，请联系管理员"
