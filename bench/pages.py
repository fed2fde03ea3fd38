"""What share of the stack's ceiling each page reaches: every page against a hello-world Flask app served by
the same gunicorn, measured with wrk (issue 17).

    .venv/bin/python -m bench.pages [--database URI] [--fresh] [--duration 15] [--connections 16]
                                    [--threads 2] [--pages today,dashboard] [--output FILE]

Both apps run under gunicorn with the same settings: 2 sync workers on a loopback port, no access log. Each
demo role the pages need logs in through the login form (CSRF token and all), and the API gets a new bearer
token of ``office``. Every page is first checked to answer 200 with that role's page (its title and the
signed-in user's name; for the API, JSON with "items"); then each is warmed up and measured with wrk,
alternating with the ceiling: hello-world, page, hello-world, page, ..., hello-world. A page's share is its
requests per second over the mean of the two hello-world runs beside it, so that the machine drifting during
the bench weighs on both. A row is not met when its share is under the target, its p99 over 5x its p50, wrk
saw a non-2xx/3xx response or a timeout, or the page fails its check again after the run.

``--database`` defaults to a SQLite file in the temporary directory. A database without the demo county's
users is filled with ``flask init-db`` and ``flask demo`` (about 80 s on SQLite). An existing one is used as
it is: each run adds an API token, and the verification page counts one check a day. ``--fresh`` builds it
anew (deletes the SQLite file, or drops and creates the PostgreSQL database), only for a database whose name
contains "bench". Rate limits are switched off for the app: the bench calls one page from one address
thousands of times a second.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from markupsafe import escape
from sqlalchemy import exists, func, inspect, make_url, select

from bench.stats import recreate_postgres, refuse_shared
from inspect_loop import create_app
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.demo import DEMO_PASSWORD
from inspect_loop.letters.issuing import verify_url
from inspect_loop.letters.models import Document, DocumentStatus
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.operations import issue_api_token

PROJECT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "sqlite:///" + str(Path(tempfile.gettempdir()) / "inspect_loop_bench_pages.sqlite")
DEMO_USERS = ("admin", "office", "inspector", "township", "regulator", "leader")
API_USER = "office"
WORKERS = 2
WARM_UP_SECONDS = 1
# wrk's default of 2 s would count the slowest pages' requests as errors instead of measuring them.
WRK_TIMEOUT_SECONDS = 10
P99_OVER_P50 = 5
# Not a loopback address: the app warns at every start about one (it would be printed on notices).
BASE_URL = "https://bench.invalid"
# gunicorn's error logs, kept after the run for a server that failed.
LOG_DIR = Path(tempfile.gettempdir()) / "bench_pages_logs"


@dataclass(frozen=True)
class Page:
    name: str  # what --pages picks
    path: str  # <token>, <id> filled in from the database
    role: str | None  # None: public, no login
    target: float  # the share of hello-world to reach, in percent
    markers: tuple[str, ...] = ()  # text the page must contain; <number>, <name> filled in; none for the API

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


# Issue 17's targets: the public pages, /today, the unit page and the inbox 20%; the rest 10%. A list page
# that does not exist (no route) is reported and left out.
PAGES = (
    Page("exposures", "/exposures", None, 20, ("<title>平安曝光 ·",)),
    Page("verify", "/v/<token>", None, 20, ("<title>文书核验 ·", "<number>")),
    Page("today", "/today", "inspector", 20, ("<title>今日任务 ·",)),
    Page("unit", "/units/<id>", "office", 20, ("<title><name> ·",)),
    Page("inbox", "/inbox", "township", 20, ("<title>交办单 ·",)),
    Page("inbox-all", "/inbox?status=all", "township", 20, ("<title>交办单 ·",)),
    Page("api-cases", "/api/v1/cases", API_USER, 10),
    Page("api-units", "/api/v1/units", API_USER, 10),
    Page("api-findings", "/api/v1/findings", API_USER, 10),
    Page("office", "/office", "office", 10, ("<title>工作台 ·",)),
    Page("ranking", "/ranking", "office", 10, ("<title>月晾晒 ·",)),
    Page("dashboard", "/dashboard", "leader", 10, ("<title>统计分析 ·",)),
    Page("units", "/units", "office", 10, ("<title>单位查询 ·",)),
)


@dataclass(frozen=True)
class Facts:
    """What the pages' addresses and checks take from the database."""
    verify_path: str  # /v/<token> of a valid notice
    document_number: str
    unit_id: int  # a unit with a case and documents
    unit_name: str
    labels: dict[str, str]  # username: the name the page header shows
    api_token: str

    def url(self, page: Page) -> str:
        return page.path.replace("/v/<token>", self.verify_path).replace("<id>", str(self.unit_id))

    def markers(self, page: Page) -> list[str]:
        filled = [marker.replace("<number>", str(escape(self.document_number)))
                  .replace("<name>", str(escape(self.unit_name))) for marker in page.markers]
        if page.role and not page.api:
            filled.append(f'<span class="who-name">{escape(self.labels[page.role])}</span>')
        return filled


# -- the database --------------------------------------------------------------------------------------

def environment(uri: str) -> None:
    """The app's settings for this process, the flask commands and both gunicorns."""
    os.environ.update({
        "INSPECT_LOOP_SQLALCHEMY_DATABASE_URI": uri,
        # Fixed for the run so that both workers accept each other's sessions and the QR token read here.
        "INSPECT_LOOP_SECRET_KEY": "bench-" + secrets.token_urlsafe(32),
        "INSPECT_LOOP_BASE_URL": BASE_URL,
        "INSPECT_LOOP_RATELIMIT_ENABLED": "false",
    })


def wipe(uri: str) -> None:
    refuse_shared(uri)
    if uri.startswith("sqlite"):
        Path(make_url(uri).database).unlink(missing_ok=True)
    else:
        recreate_postgres(uri)


def demo_users_present(app) -> bool:
    """True with the demo county's users; False on an empty database; exits on one holding something else."""
    with app.app_context():
        if not inspect(db.engine).has_table(User.__tablename__):
            return False
        names = set(db.session.scalars(select(User.username)))
        db.session.remove()
    if set(DEMO_USERS) <= names:
        return True
    if names:
        sys.exit(f"{app.config['SQLALCHEMY_DATABASE_URI']} holds users but not the demo county's: give another "
                 "--database, or --fresh to build it anew")
    return False


def build_demo() -> None:
    print("Building the demo county (flask init-db, flask demo; about 80 s on SQLite)...", file=sys.stderr)
    for command in ("init-db", "demo"):
        subprocess.run([sys.executable, "-m", "flask", "--app", "inspect_loop", command], cwd=PROJECT, check=True,
                       stdout=subprocess.DEVNULL)


def read_facts(app) -> Facts:
    with app.app_context():
        document = db.session.scalars(select(Document).where(Document.status == DocumentStatus.valid)
                                      .order_by(Document.id).limit(1)).first()
        unit = db.session.execute(select(Unit.id, Unit.name)
                                  .where(exists().where(Case.unit_id == Unit.id),
                                         exists().where(Document.unit_id == Unit.id))
                                  .order_by(Unit.id).limit(1)).first()
        if document is None or unit is None:
            sys.exit("the database has no valid notice or no unit with a case and documents: is it the demo county?")
        users = {user.username: user for user in db.session.scalars(select(User).where(User.username.in_(DEMO_USERS)))}
        api_token = issue_api_token(users[API_USER])
        db.session.commit()
        facts = Facts(verify_path=urlsplit(verify_url(document)).path, document_number=document.number,
                      unit_id=unit.id, unit_name=unit.name,
                      labels={name: user.label for name, user in users.items()}, api_token=api_token)
        db.session.remove()
        db.engine.dispose()  # nothing of this process holds the database while gunicorn serves it
    return facts


def missing_routes(app, pages: list[Page], facts: Facts) -> list[Page]:
    adapter = app.url_map.bind("localhost")
    return [page for page in pages if not adapter.test(urlsplit(facts.url(page)).path, method="GET")]


def database_rows(app) -> str:
    with app.app_context():
        units = db.session.scalar(select(func.count()).select_from(Unit))
        cases = db.session.scalar(select(func.count()).select_from(Case))
        documents = db.session.scalar(select(func.count()).select_from(Document))
        db.session.remove()
        db.engine.dispose()
    return f"{units:,} units, {cases:,} cases, {documents:,} documents"


# -- gunicorn ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """One gunicorn (master and workers in a process group of their own), stopped on leaving the block."""

    def __init__(self, app_spec: str, log_dir: Path):
        self.app_spec, self.port = app_spec, free_port()
        self.log = log_dir / (app_spec.replace(":", "_") + ".log")

    def __enter__(self) -> "Server":
        # gunicorn writes no access log unless told to: the bench's only settings are the workers and the port.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "sync",
             "--bind", f"127.0.0.1:{self.port}", "--chdir", str(PROJECT), "--log-level", "warning",
             "--error-logfile", str(self.log), self.app_spec],
            cwd=PROJECT, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 60
        while True:
            if self.process.poll() is not None:
                sys.exit(f"gunicorn {self.app_spec} stopped: see {self.log}")
            try:
                fetch(self.port, "/")
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.__exit__()
                    sys.exit(f"gunicorn {self.app_spec} does not answer: see {self.log}")
                time.sleep(0.2)

    def __exit__(self, *exception) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()



# -- logging in and checking ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    status: int
    location: str
    body: str
    cookies: str  # what a browser would send back: "name=value; ..."


def fetch(port: int, path: str, headers: dict[str, str] | None = None, form: dict[str, str] | None = None) -> Answer:
    """One request, redirects not followed: a page that sends to /login must show as the 302 it is."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request("POST" if form is not None else "GET", path, body=body, headers=headers)
        response = connection.getresponse()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        return Answer(response.status, response.getheader("Location", ""),
                      response.read().decode("utf-8", "replace"),
                      "; ".join(f"{name}={morsel.value}" for name, morsel in cookies.items()))
    finally:
        connection.close()


CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def log_in(port: int, username: str) -> str:
    """The Cookie header of a session signed in as ``username`` through the login form."""
    form = fetch(port, "/login")
    csrf_token = CSRF_FIELD.search(form.body)
    if form.status != 200 or not csrf_token or not form.cookies:
        sys.exit(f"/login answered {form.status} without a CSRF token and a session cookie")
    answer = fetch(port, "/login", {"Cookie": form.cookies},
                   {"csrf_token": csrf_token.group(1), "username": username, "password": DEMO_PASSWORD})
    if answer.status != 302 or urlsplit(answer.location).path == "/login" or not answer.cookies:
        sys.exit(f"logging in as {username} answered {answer.status} {answer.location}")
    return answer.cookies


def page_problem(answer: Answer, page: Page, facts: Facts) -> str | None:
    """None when ``answer`` is 200 with the role's page; else what is wrong."""
    if answer.status != 200:
        return f"answered {answer.status} {answer.location}".rstrip()
    if page.api:
        try:
            items = json.loads(answer.body).get("items")
        except (ValueError, AttributeError):
            items = None
        return None if isinstance(items, list) else "no JSON with a list of items"
    missing = [marker for marker in facts.markers(page) if marker not in answer.body]
    return f"lacks {missing}" if missing else None


# -- wrk -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    requests: int
    requests_per_second: float
    p50: float  # seconds
    p99: float
    failed: int  # responses outside 2xx/3xx
    timeouts: int
    after: Answer  # the page once the server has served what wrk left queued


LATENCY_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def latency(output: str, percentile: int) -> float:
    value, unit = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE).groups()
    return float(value) * LATENCY_UNITS[unit]


def settle(server: "Server", path: str, headers: dict[str, str]) -> Answer:
    """Wait until the server is idle, and answer ``path`` then. wrk stops with up to --connections requests
    queued at the sync workers, which still serve them (to closed sockets): the next run would share the CPU
    with them. A request sent now is accepted after the queue; by the time one per worker, sent one after the
    other, are answered, what another worker was busy with has ended too."""
    for _ in range(WORKERS):
        answer = fetch(server.port, path, headers)
    return answer


def wrk(server: "Server", path: str, headers: dict[str, str], seconds: int, options) -> Run:
    command = ["wrk", "--threads", str(options.threads), "--connections", str(options.connections),
               "--duration", f"{seconds}s", "--timeout", f"{WRK_TIMEOUT_SECONDS}s", "--latency"]
    for name, value in headers.items():
        command += ["--header", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    finished = subprocess.run(command, capture_output=True, text=True)
    if finished.returncode:
        sys.exit(f"{shlex.join(command)} failed: {finished.stderr or finished.stdout}")
    output = finished.stdout
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    return Run(requests=int(re.search(r"(\d+) requests in", output).group(1)),
               requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
               p50=latency(output, 50), p99=latency(output, 99),
               failed=int(failed.group(1)) if failed else 0, timeouts=int(timeouts.group(1)) if timeouts else 0,
               after=settle(server, path, headers))


# -- the table -----------------------------------------------------------------------------------------

def milliseconds(seconds: float) -> str:
    value = seconds * 1000
    return f"{value:.1f} ms" if value < 10 else f"{value:,.0f} ms"


def row(page: Page, run: Run, ceiling: float, problem_after: str | None) -> str:
    share = 100 * run.requests_per_second / ceiling
    ratio = run.p99 / run.p50 if run.requests else 0
    shortfalls = [reason for reason, missed in (
        ("no request answered", not run.requests),
        ("share", share < page.target),
        (f"p99 > {P99_OVER_P50}× p50", ratio > P99_OVER_P50),
        (f"{run.failed:,} non-2xx", run.failed),
        (f"{run.timeouts:,} timeouts", run.timeouts),
        (f"after the run: {problem_after}", problem_after),
    ) if missed]
    met = "no (" + "; ".join(shortfalls) + ")" if shortfalls else "yes"
    return (f"| {page.path} | {page.role or 'public'} | {run.requests_per_second:,.0f} | {milliseconds(run.p50)} "
            f"| {milliseconds(run.p99)} | {ratio:.1f}× | {ceiling:,.0f} | {share:.1f}% | ≥ {page.target:g}% | {met} |")


def describe_database(uri: str) -> str:
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    return f"PostgreSQL {url.render_as_string(hide_password=True)}"


def commit() -> str:
    described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=PROJECT, capture_output=True,
                               text=True)
    return described.stdout.strip() or "unknown"


# -- the bench -----------------------------------------------------------------------------------------

def arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=DEFAULT_DATABASE, help=f"SQLAlchemy URI (default {DEFAULT_DATABASE})")
    parser.add_argument("--fresh", action="store_true",
                        help="build the demo county anew in the database (its name must contain 'bench')")
    parser.add_argument("--duration", type=int, default=15, help="seconds per wrk run (default 15)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--pages", help="comma-separated subset of: " + ", ".join(page.name for page in PAGES))
    parser.add_argument("--output", type=Path, help="also write the command and the table to this file")
    options = parser.parse_args()
    names = {page.name for page in PAGES}
    chosen = options.pages.split(",") if options.pages else [page.name for page in PAGES]
    if unknown := [name for name in chosen if name not in names]:
        parser.error(f"unknown pages {unknown}; choose from {sorted(names)}")
    options.chosen = [page for page in PAGES if page.name in chosen]
    return options


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    options = arguments()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    # A plain kill of the bench stops its servers too (the finally of the with-blocks).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    command = shlex.join([sys.executable, "-m", "bench.pages", *sys.argv[1:]])

    environment(options.database)
    if options.fresh:
        wipe(options.database)
    app = create_app()
    if not demo_users_present(app):
        build_demo()
    facts = read_facts(app)
    rows_described = database_rows(app)
    absent = missing_routes(app, options.chosen, facts)
    pages = [page for page in options.chosen if page not in absent]

    load_before = os.getloadavg()[0]
    LOG_DIR.mkdir(exist_ok=True)
    with ExitStack() as servers:
        hello = servers.enter_context(Server("bench.hello:app", LOG_DIR))
        site = servers.enter_context(Server("wsgi:app", LOG_DIR))
        cookies = {role: log_in(site.port, role) for role in sorted({page.role for page in pages if page.role})}

        def headers(page: Page) -> dict[str, str]:
            if page.api:
                return {"Authorization": f"Bearer {facts.api_token}"}
            return {"Cookie": cookies[page.role]} if page.role else {}

        problems = {page.path: problem for page in pages
                    if (problem := page_problem(fetch(site.port, facts.url(page), headers(page)), page, facts))}
        if problems:
            sys.exit("pages that are not the role's page, nothing measured:\n"
                     + "\n".join(f"  {path}: {problem}" for path, problem in problems.items()))

        progress(f"warming up ({WARM_UP_SECONDS} s a page)...")
        wrk(hello, "/", {}, WARM_UP_SECONDS, options)
        for page in pages:
            wrk(site, facts.url(page), headers(page), WARM_UP_SECONDS, options)

        ceilings = [wrk(hello, "/", {}, options.duration, options).requests_per_second]
        progress(f"hello-world {ceilings[-1]:,.0f} req/s")
        rows = []
        for page in pages:
            run = wrk(site, facts.url(page), headers(page), options.duration, options)
            ceilings.append(wrk(hello, "/", {}, options.duration, options).requests_per_second)
            progress(f"{page.path} {run.requests_per_second:,.0f} req/s; hello-world {ceilings[-1]:,.0f} req/s")
            rows.append(row(page, run, (ceilings[-2] + ceilings[-1]) / 2, page_problem(run.after, page, facts)))

    report = "\n".join([
        f"`{command}`",
        "",
        f"{describe_database(options.database)} ({rows_described}), at {commit()}; wrk {options.threads} threads, "
        f"{options.connections} connections, {options.duration} s a run; gunicorn {WORKERS} sync workers; "
        f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        "| page | role | req/s | p50 | p99 | p99/p50 | ceiling req/s | share | target | met |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        *([""] + [f"Not measured, no such route: {page.path}" for page in absent] if absent else []),
    ])
    print(report)
    if options.output:
        options.output.write_text(report + "\n")


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted: the servers are stopped")
