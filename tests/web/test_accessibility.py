"""Every page of every role, at 360 px and 1366 px, has no serious or critical axe-core violation.

The pages are those of ``tests/test_every_get_route.py``'s demo county: every GET route of the web app, filled
with the first real id each role may open (a new page is covered without being listed here), plus a page that
does not exist (the error page). Each role's pages are opened in one Chromium context logged in as that role;
axe-core (``make axe`` installs it from npm into ``.venv/node``; docs/accessibility.md) is injected into each
page and run at both widths. Only violations axe rates serious or critical fail the test; all of them are
listed at once, and written to ``test-artifacts/accessibility/violations-<role>.json``.
"""

import json
import os
import threading
import time
from collections import Counter

import pytest
from flask import url_for
from playwright.sync_api import expect, sync_playwright
from werkzeug.serving import make_server

from inspect_loop import PROJECT_ROOT
from inspect_loop.demo import DEMO_PASSWORD
from tests.test_every_get_route import (  # noqa: F401  (walked_app, path_values: the demo county's fixtures)
    IDS_TRIED,
    ROLE_LOGINS,
    get_routes,
    logged_in,
    path_fillings,
    path_values,
    walked_app,
)
from tests.web.conftest import launch_chromium, needs_chromium

AXE = PROJECT_ROOT / ".venv" / "node" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "accessibility"
# (width, height) of a phone and of a laptop.
SCREENS = [(360, 740), (1366, 900)]
BLOCKING = ("serious", "critical")
# A page no role can open: the error page, in each role's layout.
MISSING_PAGE = "/no-such-page"

needs_axe = pytest.mark.skipif(
    not AXE.exists() and os.environ.get("INSPECT_LOOP_REQUIRE_POSTGRES") != "1",
    reason=f"axe-core is not installed at {AXE.relative_to(PROJECT_ROOT)}: `make axe` installs it from npm")

# What a closed <details> holds (a panel, the phone's menu) is checked too.
OPEN_EVERY_DETAILS = "() => document.querySelectorAll('details').forEach(details => { details.open = true; })"
# The blocking violations of the page the browser shows (after the frame that follows a resize), at most
# three elements of each. axe's default rules, and WCAG 2.2's target size (24 px, or that much room around a
# smaller target), which axe leaves off by default: these pages are tapped on phones.
RUN_AXE = """async (blocking) => {
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  const results = await axe.run(document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}});
  return results.violations.filter(violation => blocking.includes(violation.impact)).map(violation => ({
    rule: violation.id, impact: violation.impact, help: violation.help, count: violation.nodes.length,
    nodes: violation.nodes.slice(0, 3).map(node => ({target: node.target.join(' '), html: node.html.slice(0, 240)})),
  }));
}"""


def pages_of(app, client, values: dict[str, list]) -> list[str]:
    """The paths of the HTML pages a client's role opens: for each GET route, its first real filling the role
    may see (downloads, redirects and refusals are not pages of that role)."""
    adapter = app.url_map.bind("localhost")
    pages = []
    for rule, endpoint in get_routes(app):
        url_rule = next(item for item in app.url_map.iter_rules(endpoint) if item.rule == rule)
        for filling in path_fillings(url_rule, values)[:IDS_TRIED]:
            path = adapter.build(endpoint, filling)
            response = client.get(path)
            if response.status_code == 200 and response.mimetype == "text/html":
                pages.append(path)
                break
    return [*pages, MISSING_PAGE]


@pytest.fixture(scope="module")
def served_county(walked_app):  # noqa: F811
    server = make_server("127.0.0.1", 0, walked_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def log_in(tab, username: str) -> None:
    tab.goto("/login")
    tab.fill("#username", username)
    tab.fill("#password", DEMO_PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_load_state()
    assert "/login" not in tab.url, f"{username} could not log in"


def describe(path: str, width: int, violation: dict) -> str:
    elements = "\n".join(f"      {node['target']}: {node['html']}" for node in violation["nodes"])
    return (f"{path} @ {width}px: {violation['rule']} ({violation['impact']}, {violation['count']}×) "
            f"{violation['help']}\n{elements}")


@needs_chromium
@needs_axe
@pytest.mark.parametrize("role", list(ROLE_LOGINS))  # one test per role: the workers share the walk
def test_no_page_of_the_role_has_a_serious_accessibility_violation(walked_app, path_values, served_county,  # noqa: F811
                                                                    role):
    assert AXE.exists(), f"axe-core is not installed at {AXE}: `make axe` installs it from npm"
    username = ROLE_LOGINS[role]
    started = time.monotonic()
    found: list[dict] = []
    views = 0
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        # The injected axe-core is an inline script, which the pages' CSP refuses.
        context = browser.new_context(base_url=served_county, bypass_csp=True, locale="zh-CN")
        tab = context.new_page()
        if username is not None:
            log_in(tab, username)
        for path in pages_of(walked_app, logged_in(walked_app, username), path_values):
            tab.goto(path)
            tab.add_script_tag(path=str(AXE))
            tab.evaluate(OPEN_EVERY_DETAILS)
            # One load serves both widths: the layout follows the viewport (the pages' scripts read no
            # width at load; static/js/tables.js follows resizes).
            for width, height in SCREENS:
                tab.set_viewport_size({"width": width, "height": height})
                views += 1
                found += [{"role": role, "path": path, "width": width, **violation}
                          for violation in tab.evaluate(RUN_AXE, list(BLOCKING))]
        context.close()
        browser.close()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"violations-{role}.json").write_text(json.dumps(found, ensure_ascii=False, indent=1),
                                                       encoding="utf-8")
    print(f"axe-core: {views} page views of {role} in {time.monotonic() - started:.0f} s")
    if found:
        rules = Counter((violation["rule"], violation["impact"]) for violation in found)
        summary = ", ".join(f"{rule} ({impact}) on {count} page views" for (rule, impact), count in rules.items())
        details = "\n".join(f"[{violation['role']}] {describe(violation['path'], violation['width'], violation)}"
                            for violation in found)
        pytest.fail(f"serious or critical accessibility violations: {summary}\n{details}", pytrace=False)



@needs_chromium
def test_a_table_wider_than_its_box_is_a_named_focusable_region(walked_app, served_county):  # noqa: F811
    with walked_app.test_request_context():
        path = url_for("web.admin_users")
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        tab = browser.new_page(base_url=served_county, viewport={"width": 1366, "height": 900})
        log_in(tab, ROLE_LOGINS["admin"])
        tab.goto(path)
        wrap = tab.locator(".table-wrap").first
        assert wrap.get_attribute("tabindex") is None, "a table that fits is no tab stop"
        wrap.locator("table").evaluate("table => { table.style.minWidth = '3000px'; }")
        tab.set_viewport_size({"width": 1000, "height": 900})
        expect(wrap).to_have_attribute("tabindex", "0")
        expect(wrap).to_have_attribute("role", "region")
        expect(wrap).to_have_attribute("aria-label", "表格，可左右滚动")
        wrap.locator("table").evaluate("table => { table.style.minWidth = ''; }")
        tab.set_viewport_size({"width": 1366, "height": 900})
        expect(wrap).not_to_have_attribute("tabindex", "0")
        browser.close()
