"""统计分析 and 月晾晒 pages: who may open them, that they show exactly the statistics' figures, their Excel
downloads, bad input, and the charts at 360 px in Chromium under the Content-Security-Policy."""

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from inspect_loop.regions.models import RegionLevel
from inspect_loop.regions.operations import create_region
from inspect_loop.stats import breakdowns, summary, township_ranking
from inspect_loop.stats.definitions import BREAKDOWNS, SUMMARY_FIGURES
from inspect_loop.stats.excel import flatten
from inspect_loop.units.operations import create_unit
from inspect_loop.web.dashboard import FIGURE_GROUPS
from tests.factories import PASSWORD, inspect
from tests.helpers import at
from tests.stats.conftest import year  # noqa: F401  (the half-year scenario, worked out by hand there)
from tests.web.conftest import launch_chromium, needs_chromium

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TODAY = "2026-07-10"
PERIOD = "from=2026-03-01&to=2026-06-30"
ALLOWED = ("root", "office", "east", "fire", "viewer")


def get(login, username, url):
    """``url`` as ``username`` on TODAY (logged in on that day too: a session does not travel back in time)."""
    with at(TODAY):
        return (login(username) if username else login).get(url)


def shown_figures(html: str) -> dict[str, str]:
    """data-key → the figure as printed on the page."""
    return dict(re.findall(r'data-key="([a-z_.]+)">\s*<dt>[^<]*</dt>\s*<dd>([^<]*)</dd>', html))


def printed(key: str, value) -> str:
    return f"{value * 100:.1f}%" if key.endswith("rate") else f"{value:,}"


@pytest.mark.parametrize("path", ["/dashboard", "/ranking", "/dashboard/summary.xlsx", "/dashboard/overdue.xlsx",
                                  "/ranking.xlsx"])
def test_who_may_open_the_statistics(login, client, path):
    for username in ALLOWED:
        assert get(login, username, path).status_code == 200, username
    assert get(login, "inspector", path).status_code == 403
    anonymous = get(client, None, path)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_the_viewer_starts_on_the_dashboard_and_the_menu_offers_both_pages(login):
    response = get(login, "viewer", "/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    html = get(login, "viewer", "/dashboard").get_data(as_text=True)
    assert 'href="/dashboard"' in html and 'href="/ranking"' in html
    assert 'href="/office/exposures"' not in html  # 平安曝光 management is the county office's


@pytest.mark.parametrize(("query", "region"), [(PERIOD, None), (f"{PERIOD}&region=330781001", "330781001"),
                                               (f"{PERIOD}&region=330781", "330781")])
def test_every_figure_on_the_page_is_the_summary(year, login, query, region):  # noqa: F811
    html = get(login, "viewer", f"/dashboard?{query}").get_data(as_text=True)
    with at(TODAY):
        expected = flatten(summary(date(2026, 3, 1), date(2026, 6, 30), region))
    shown = shown_figures(html)
    keys = [key for _, keys in FIGURE_GROUPS for key in keys]
    assert sorted(shown) == sorted(keys)
    assert {key for key, _, _ in SUMMARY_FIGURES} == set(keys)  # every SPEC section 5 figure is on the page
    assert shown == {key: printed(key, expected[key]) for key in keys}
    # The hand-computed figures of the scenario (tests/stats/test_summary.py) as the page prints them.
    if region == "330781001":
        assert (shown["units_rectified_on_time"], shown["recurrence.rate"], shown["on_time_rate"]) \
            == ("2", "50.0%", "75.0%")


def test_the_page_shows_the_breakdowns_and_the_overdue_list(year, login):  # noqa: F811
    html = get(login, "office", f"/dashboard?{PERIOD}").get_data(as_text=True)
    with at(TODAY):
        trend = breakdowns.monthly_trend(date(2026, 3, 1), date(2026, 6, 30))
        overdue = breakdowns.overdue_list()
    # Charts get their rows as JSON in data-rows (no inline script); the tables beside them print the same.
    assert html.count('data-chart="') == 4
    assert '"month": "2026-03"' in html
    assert "<script>" not in html and " style=" not in html and "onclick" not in html
    for row in trend:
        assert f'<td data-label="月份">{row["month"]}</td>' in html
    for row in overdue[:20]:
        assert row["unit_name"] in html
    assert "兰江便民亭" in html and "123 天" in html  # the kiosk's F7, longest overdue
    assert "消防安全" in html and "兰溪市消防救援大队" in html


def test_bad_input_is_explained_and_the_default_is_shown(year, login):  # noqa: F811
    for query, message in (("from=2026-13-01", "开始日期应为有效日期"), ("from=2026-07-01&to=2026-03-01", "开始日期不能晚于结束日期"),
                           ("region=000000", "region"), ("region=330781101201", "统计区域须为县")):
        response = get(login, "viewer", f"/dashboard?{query}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert 'class="flash flash-error"' in html and "已按默认条件显示" in html, query
        if message != "region":
            assert message in html
        assert 'value="2026-01-01"' in html and 'value="2026-07-10"' in html  # this year so far
    response = get(login, "viewer", "/dashboard/summary.xlsx?from=2026-13-01")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert get(login, "viewer", "/dashboard/nothing.xlsx").status_code == 404


def test_a_township_office_starts_on_its_own_township(year, login):  # noqa: F811
    html = get(login, "east", "/dashboard").get_data(as_text=True)
    assert '<option value="330781001" selected>' in html
    with at(TODAY):
        expected = summary(date(2026, 1, 1), date(2026, 7, 10), "330781001")
    assert shown_figures(html)["units_interviewed"] == str(expected["units_interviewed"])


def workbook(response):
    assert response.status_code == 200 and response.mimetype == XLSX
    return load_workbook(BytesIO(response.data))


def test_every_dashboard_table_downloads_with_its_definitions(year, login):  # noqa: F811
    summary_book = workbook(get(login, "office", f"/dashboard/summary.xlsx?{PERIOD}&region=330781001"))
    with at(TODAY):
        expected = flatten(summary(date(2026, 3, 1), date(2026, 6, 30), "330781001"))
    values = {row[2].value: row[1].value for row in summary_book.worksheets[0].iter_rows(min_row=2)}
    assert values == {key: expected[key] for key, _, _ in SUMMARY_FIGURES}
    definitions = {row[0].value: row[1].value for row in summary_book["口径说明"].iter_rows(min_row=2)}
    assert definitions["统计区域"] == "兰江街道（330781001）"
    assert all(definitions[label] == text for _, label, text in SUMMARY_FIGURES)

    with at(TODAY):
        tables = {"trend": breakdowns.monthly_trend(date(2026, 3, 1), date(2026, 6, 30)),
                  "categories": breakdowns.by_category(date(2026, 3, 1), date(2026, 6, 30)),
                  "sectors": breakdowns.by_sector(date(2026, 3, 1), date(2026, 6, 30)),
                  "risk": breakdowns.risk_by_township(), "overdue": breakdowns.overdue_list(limit=500)}
    for name, rows in tables.items():
        book = workbook(get(login, "office", f"/dashboard/{name}.xlsx?{PERIOD}"))
        title, columns = BREAKDOWNS[name]
        sheet = book.worksheets[0]
        assert sheet.title == title
        assert [cell.value for cell in sheet[1]] == [header for _, header, _ in columns]
        assert sheet.max_row == len(rows) + 1, name
        first = [cell.value for cell in sheet[2]]
        assert first == [("、".join(rows[0][key]) if isinstance(rows[0][key], list) else rows[0][key])
                         for key, _, _ in columns], name
        assert [row[0].value for row in book["口径说明"].iter_rows(min_row=2)][-len(columns):] \
            == [header for _, header, _ in columns]


def test_the_ranking_page_shows_the_ranking(year, login):  # noqa: F811
    html = get(login, "viewer", "/ranking?month=2026-04").get_data(as_text=True)
    with at(TODAY):
        expected = township_ranking("2026-04")
    assert "月晾晒 · 2026-04" in html
    names = [row["township_name"] for row in expected["rows"]]
    assert names == ["兰江街道", "马涧镇"] and html.index("兰江街道</td>") < html.index("马涧镇</td>")
    assert "88.00" in html and "86.00" in html
    assert "上升1位" in html and "下降1位" in html
    assert "缺席约谈单位每个扣 5 分" in html  # the weights are explained on the page
    assert 'href="/ranking?month=2026-03' in html and 'href="/ranking?month=2026-05' in html


def test_the_ranking_refuses_a_bad_month_with_a_message(year, login):  # noqa: F811
    for month, message in (("2026-13", "月份应按“年-月”填写，如2026-11"), ("2026-08", "不能对尚未开始的月份排名")):
        html = get(login, "viewer", f"/ranking?month={month}").get_data(as_text=True)
        assert message in html and "月晾晒 · 2026-06" in html  # the default month instead
    html = get(login, "viewer", "/ranking?month=2026-03&region=330781001").get_data(as_text=True)
    assert "月晾晒按县（市、区）排名" in html
    assert 'rel="next"' not in get(login, "viewer", "/ranking?month=2026-07").get_data(as_text=True)  # none after


def test_the_ranking_opens_on_the_last_complete_month_and_says_so(year, login):  # noqa: F811
    html = get(login, "viewer", "/ranking").get_data(as_text=True)
    assert "月晾晒 · 2026-06" in html
    assert "默认显示最近一个完整月份（2026-06）。本月（2026-07）尚未结束" in html
    assert html.count('href="/ranking?month=2026-07&amp;region="') == 2  # 下一月 and 本月（截至今日）
    chosen = get(login, "viewer", "/ranking?month=2026-07").get_data(as_text=True)
    assert "月晾晒 · 2026-07" in chosen and "默认显示" not in chosen  # a chosen month is not called the default


def third_township(county):
    """诸葛镇 with one unit beside the county's two townships: three rows in the 月晾晒."""
    with at("2026-05-01", 9):
        township = create_region(county.users.admin, code="330781102", name="诸葛镇", level=RegionLevel.township,
                                 parent_code="330781")
        return create_unit(county.users.admin, name="诸葛古村民宿", region=township, category="宾馆")


def supervise_all_but_west(county, database):
    """June: the shop (兰江街道) and 诸葛镇's unit inspected by an unannounced team, 马涧镇 not at all."""
    guesthouse = third_township(county)
    with at("2026-06-03", 10):
        inspect(county, county.units.shop)
    with at("2026-06-04", 10):
        inspect(county, guesthouse, "XF-01")
    database.session.commit()


def test_an_unsupervised_township_shows_no_score_no_rank_and_no_change(county, database, login):
    supervise_all_but_west(county, database)
    html = get(login, "viewer", "/ranking?month=2026-06").get_data(as_text=True)
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S)[1:]  # after the header
    assert [re.search(r'data-label="乡镇（街道）">([^<]+)<', row).group(1) for row in rows] == [
        "兰江街道", "诸葛镇", "马涧镇"]
    west = rows[2]
    assert 'class="rank-unsupervised"' in west and "本月未督查" in west
    assert "上升" not in west and "下降" not in west and "100.00" not in west
    assert '<span class="rank-no">' not in west and '<span class="rank-no">2</span>' in rows[1]
    assert "不排名" in west  # its phone line 2
    book = workbook(get(login, "viewer", "/ranking.xlsx?month=2026-06"))
    sheet_rows = [(row[0].value, row[2].value, row[3].value) for row in book.worksheets[0].iter_rows(min_row=2)]
    assert [row[:2] for row in sheet_rows] == [(1, "兰江街道"), (2, "诸葛镇"), (None, "马涧镇")]
    assert sheet_rows[0][2] == 100 and sheet_rows[1][2] < 100 and sheet_rows[2][2] == "本月未督查"


def test_the_dashboard_says_which_period_it_shows(year, login):  # noqa: F811
    default = get(login, "viewer", "/dashboard").get_data(as_text=True)
    assert "统计期间：2026-01-01 至 2026-07-10（本年至今，默认期间）" in default
    last_month = get(login, "viewer", "/dashboard?from=2026-06-01&to=2026-06-30").get_data(as_text=True)
    assert "统计期间：2026-06-01 至 2026-06-30（上月）" in last_month
    chosen = get(login, "viewer", f"/dashboard?{PERIOD}").get_data(as_text=True)
    assert "统计期间：2026-03-01 至 2026-06-30" in chosen and "默认期间" not in chosen and "（上月）" not in chosen


def test_the_ranking_downloads_as_the_api_does(year, login):  # noqa: F811
    book = workbook(get(login, "east", "/ranking.xlsx?month=2026-03"))
    sheet = book["2026-03月晾晒"]
    assert (sheet["A2"].value, sheet["C2"].value, sheet["D2"].value) == (1, "马涧镇", 74)
    assert any("每百家在营单位" in (row[1].value or "") for row in book["口径说明"].iter_rows(min_row=2))


# -- 360 px in Chromium -------------------------------------------------------------------------------

RANKING_KEY_HEADERS = ["排名", "乡镇（街道）", "得分", "升降", "按时整改率", "今日三色"]


@pytest.mark.browser
@needs_chromium
def test_the_ranking_fits_a_desktop_and_reads_in_two_lines_on_a_phone(live_server, county, database):
    """At 1366 px the table needs no sideways scroll and its key columns are on screen; at 360 px every
    township is one two-line row."""
    from playwright.sync_api import sync_playwright

    supervise_all_but_west(county, database)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            for width, height in ((1366, 900), (360, 740)):
                tab = browser.new_context(viewport={"width": width, "height": height}, base_url=live_server).new_page()
                tab.goto("/login")
                tab.fill("input[name=username]", "viewer")
                tab.fill("input[name=password]", PASSWORD)
                tab.click("button[type=submit]")
                tab.wait_for_url("**/dashboard")
                tab.goto("/ranking?month=2026-06")
                box = tab.locator(".rank-table .table-wrap")
                if width == 1366:
                    assert box.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth"), "scrolls sideways"
                    right = box.evaluate("wrap => wrap.getBoundingClientRect().right")
                    for header in RANKING_KEY_HEADERS:
                        cell = tab.locator(".rank-table th", has_text=header).first
                        assert cell.is_visible() and cell.evaluate("th => th.getBoundingClientRect().right") <= right
                else:
                    heights = tab.locator(".rank-table tbody tr").evaluate_all(
                        "rows => rows.map(row => row.getBoundingClientRect().height)")
                    assert len(heights) == 3 and all(44 <= height <= 64 for height in heights), heights
                    assert tab.locator(".rank-table tbody tr").nth(2).inner_text().startswith("马涧镇")
                    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
        finally:
            browser.close()




@pytest.mark.browser
@needs_chromium
def test_charts_are_drawn_at_360_px_without_overflow_or_console_errors(live_server, year):  # noqa: F811
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            tab = browser.new_context(viewport={"width": 360, "height": 740}, base_url=live_server).new_page()
            problems = []
            tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            tab.on("pageerror", lambda error: problems.append(str(error)))
            tab.goto("/login")
            tab.fill("input[name=username]", "viewer")
            tab.fill("input[name=password]", PASSWORD)
            tab.click("button[type=submit]")
            tab.wait_for_url("**/dashboard")
            for path, charts in ((f"/dashboard?{PERIOD}", 4), ("/ranking?month=2026-04", 1)):
                tab.goto(path)
                tab.wait_for_function(f"document.querySelectorAll('[data-chart] canvas').length >= {charts}")
                drawn = tab.evaluate("""Array.from(document.querySelectorAll('[data-chart]')).map(chart => {
                    const canvas = chart.querySelector('canvas');
                    return canvas ? [canvas.getBoundingClientRect().width, canvas.getBoundingClientRect().height] : null;
                })""")
                assert len(drawn) == charts and all(size and size[0] > 250 and size[1] > 150 for size in drawn), drawn
                assert tab.evaluate("document.documentElement.scrollWidth") <= 360, path
            assert problems == []
        finally:
            browser.close()
