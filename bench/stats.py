"""How fast the statistics answer on a generated city, on SQLite and on PostgreSQL, and whether any query plan
reads a table once per row.

    .venv/bin/python -m bench.stats --sqlite /tmp/bench_stats.sqlite \\
        --postgres postgresql+psycopg://postgres@127.0.0.1:5432/bench_stats --generate [--runs 15]

``--generate`` first builds each database anew with ``flask gen-data --units 40000 --years 5 --seed 1``
(about 100,000 findings; give ``--units``/``--years``/``--seed`` for others). The databases must be the
bench's own: it refuses ``instance/`` and the test databases, and a PostgreSQL database it generates into is
dropped and created again. Without ``--generate`` it measures the databases as they are.

Measured, each after two warm-up calls, as the median and 90th percentile of ``--runs`` calls:

- ``summary``: every SPEC section 5 figure for this year so far (the dashboard's default), and for the five
  years of history;
- ``ranking``: the 月晾晒 of last month (with the month before, for the change of rank);
- the pages ``/dashboard`` and ``/ranking`` rendered through Flask's test client as the read-only leader,
  i.e. every query, the template and the response, without the network.

Every SQL statement those make is captured and EXPLAINed. A plan "reads a table once per row" when a table
is scanned without an index inside something that runs once per outer row: a correlated subquery or a
nested loop's inner side on SQLite (``SCAN`` under ``CORRELATED …``, or a ``SCAN`` after the first table of
a join), a ``SubPlan`` or a nested loop's inner side on PostgreSQL (``Seq Scan`` not behind a ``Hash`` or
``Materialize``, which are built once). The table goes to docs/performance.md ("Statistics").
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import event, func, make_url, select

from inspect_loop import create_app
from inspect_loop.db import db
from inspect_loop.inspections.models import Finding, Inspection
from inspect_loop.stats import summary, township_ranking
from inspect_loop.stats.ranking import month_of
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User

PROJECT = Path(__file__).resolve().parent.parent
TARGET_MS = 300
WARM_UPS = 2
# Plan nodes of SQLite's EXPLAIN QUERY PLAN that are not tables read.
SQLITE_BOOKKEEPING = ("USE TEMP B-TREE", "COMPOUND QUERY", "LEFT-MOST SUBQUERY", "UNION ALL", "UNION USING",
                      "MATERIALIZE", "CO-ROUTINE", "SCALAR SUBQUERY", "CORRELATED", "LIST SUBQUERY", "MERGE")


# -- the databases -------------------------------------------------------------------------------------

def refuse_shared(uri: str) -> None:
    """--generate drops and refills the database: only one named for the bench, never instance/ or a test,
    development or production database that happens to be given."""
    url = make_url(uri)
    name = url.database or ""
    if "instance" in Path(name).parts or "bench" not in Path(name).name:
        sys.exit(f"refusing {uri}: the bench generates only into a database whose name contains 'bench'")


def recreate_postgres(uri: str) -> None:
    url = make_url(uri)
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{url.database}"')


def generate(uri: str, units: int, years: int, seed: int) -> float:
    """Build the database anew with ``flask gen-data``; the seconds it took."""
    if uri.startswith("sqlite"):
        Path(make_url(uri).database).unlink(missing_ok=True)
    else:
        recreate_postgres(uri)
    began = time.perf_counter()
    subprocess.run([str(PROJECT / ".venv/bin/flask"), "--app", "inspect_loop", "gen-data", "--units", str(units),
                    "--years", str(years), "--seed", str(seed)], check=True, cwd=PROJECT,
                   env={**os.environ, "INSPECT_LOOP_SQLALCHEMY_DATABASE_URI": uri}, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


# -- query plans ---------------------------------------------------------------------------------------

def sqlite_per_row_scans(rows: list[tuple]) -> list[str]:
    """``SCAN`` lines of an EXPLAIN QUERY PLAN that run once per outer row."""
    parent_of = {node: parent for node, parent, _, _ in rows}
    detail_of = {node: detail for node, _, _, detail in rows}

    def correlated(node) -> bool:
        while node in parent_of:
            node = parent_of[node]
            if detail_of.get(node, "").startswith("CORRELATED"):
                return True
        return False

    flagged, tables_in_loop = [], {}
    for node, parent, _, detail in rows:
        if detail.startswith(SQLITE_BOOKKEEPING) or not detail.startswith(("SCAN", "SEARCH")):
            continue
        tables_in_loop[parent] = tables_in_loop.get(parent, 0) + 1
        if detail.startswith("SCAN") and (correlated(node) or tables_in_loop[parent] > 1):
            flagged.append(detail)
    return flagged


def postgres_per_row_scans(plan: dict) -> list[str]:
    """``Seq Scan`` and ``CTE Scan`` nodes of an EXPLAIN (ANALYZE, FORMAT JSON) plan that ran more than once."""
    flagged = []
    # A parallel scan's loops are its worker processes, each reading its share once.
    if (plan["Node Type"] in ("Seq Scan", "CTE Scan") and plan.get("Actual Loops", 1) > 1
            and not plan.get("Parallel Aware")):
        flagged.append(f"{plan['Node Type']} on {plan.get('Relation Name') or plan.get('CTE Name')} "
                       f"× {plan['Actual Loops']:,}")
    for child in plan.get("Plans", []):
        flagged += postgres_per_row_scans(child)
    return flagged


def per_row_scans(connection, statement: str, parameters) -> list[str]:
    if connection.dialect.name == "sqlite":
        return sqlite_per_row_scans(list(connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)))
    plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters).scalar()
    return postgres_per_row_scans(plan[0]["Plan"])


class StatementLog:
    """Every SELECT the measured code sends, kept to be EXPLAINed afterwards."""

    def __init__(self, engine):
        self.statements: dict[str, tuple] = {}
        self.recording = False
        event.listen(engine, "before_cursor_execute", self.record)

    def record(self, connection, cursor, statement, parameters, context, executemany):
        if self.recording and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            self.statements.setdefault(statement, parameters)


# -- timing --------------------------------------------------------------------------------------------

def timed(call: Callable[[], object], runs: int) -> list[float]:
    for _ in range(WARM_UPS):
        call()
    durations = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        durations.append((time.perf_counter() - began) * 1000)
        db.session.rollback()
    return durations


def page(client, path: str) -> Callable[[], object]:
    def get():
        response = client.get(path)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        return response.data
    return get


def measure(uri: str, runs: int) -> dict:
    app = create_app({"SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "bench", "BASE_URL": "http://127.0.0.1",
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        today = date.today()
        first = db.session.scalar(select(func.min(Finding.found_on)))
        last_month = month_of(today.replace(day=1) - timedelta(days=1)).label
        viewer = db.session.scalar(select(User).where(User.role == Role.viewer).order_by(User.id).limit(1))
        size = {"units": db.session.scalar(select(func.count(Unit.id))),
                "findings": db.session.scalar(select(func.count(Finding.id))),
                "inspections": db.session.scalar(select(func.count(Inspection.id))), "from": first}
        client = app.test_client()
        with client.session_transaction() as session:  # logged in as the leader, without a password
            session["_user_id"], session["_fresh"] = str(viewer.id), True
        measures = {
            "summary, this year so far": lambda: summary(today.replace(month=1, day=1), today),
            "summary, five years": lambda: summary(first, today),
            f"ranking {last_month}": lambda: township_ranking(last_month),
            "page /dashboard": page(client, "/dashboard"),
            f"page /ranking?month={last_month}": page(client, f"/ranking?month={last_month}"),
        }
        log = StatementLog(db.engine)
        log.recording = True
        results = {}
        for name, call in measures.items():
            durations = timed(call, runs)
            results[name] = (statistics.median(durations), statistics.quantiles(durations, n=10)[-1])
        log.recording = False
        with db.engine.connect() as connection:
            flagged = {statement: scans for statement, parameters in log.statements.items()
                       if (scans := per_row_scans(connection, statement, parameters))}
        db.engine.dispose()
    return {"size": size, "results": results, "statements": len(log.statements), "flagged": flagged}


# -- report --------------------------------------------------------------------------------------------

def report(measured: dict[str, dict], generated: dict[str, float]) -> str:
    names = list(next(iter(measured.values()))["results"])
    databases = list(measured)
    lines = ["| measured | " + " | ".join(f"{name} median | {name} p90" for name in databases) + " |",
             "| --- | " + " | ".join("---: | ---:" for _ in databases) + " |"]
    for name in names:
        cells = []
        for database in databases:
            median, p90 = measured[database]["results"][name]
            mark = "" if median < TARGET_MS or name.endswith("five years") else " ✗"
            cells.append(f"{median:,.0f} ms{mark} | {p90:,.0f} ms")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append(f"- {os.cpu_count()} CPU cores; load average {' / '.join(f'{load:.1f}' for load in os.getloadavg())} "
                 "(1, 5, 15 min) when the run ended.")
    for database, result in measured.items():
        size = result["size"]
        made = f", generated in {generated[database]:.0f} s" if database in generated else ""
        lines.append(f"- {database}: {size['units']:,} units, {size['inspections']:,} inspections, "
                     f"{size['findings']:,} findings since {size['from']}{made}; {result['statements']} distinct "
                     f"statements EXPLAINed, {len(result['flagged'])} read a table once per row.")
        for statement, scans in result["flagged"].items():
            lines.append(f"  - {'; '.join(scans)} in: {' '.join(statement.split())[:300]}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", help="SQLite database URI or file path")
    parser.add_argument("--postgres", help="PostgreSQL URI (postgresql+psycopg://…)")
    parser.add_argument("--generate", action="store_true", help="build the databases anew with gen-data first")
    parser.add_argument("--units", type=int, default=40_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=15)
    arguments = parser.parse_args()
    databases = {}
    if arguments.sqlite:
        databases["SQLite"] = (arguments.sqlite if arguments.sqlite.startswith("sqlite:")
                               else f"sqlite:///{Path(arguments.sqlite).resolve()}")
    if arguments.postgres:
        databases["PostgreSQL"] = arguments.postgres
    if not databases:
        parser.error("give --sqlite and/or --postgres")
    generated = {}
    for name, uri in databases.items():
        if arguments.generate:
            refuse_shared(uri)
            print(f"generating {name} …", file=sys.stderr)
            generated[name] = generate(uri, arguments.units, arguments.years, arguments.seed)
    measured = {}
    for name, uri in databases.items():
        print(f"measuring {name} …", file=sys.stderr)
        measured[name] = measure(uri, arguments.runs)
    print(report(measured, generated))


if __name__ == "__main__":
    main()
