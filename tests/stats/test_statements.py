"""The statistics' statements are built once and run with each call's values (issue 17): reusing one must not
carry a call's period, region or day into the next, and folding the small counts keeps the summary's
statements few."""

from sqlalchemy import event

from inspect_loop.stats import summary
from inspect_loop.stats.queries import _activity_statements, period_of
from inspect_loop.stats.ranking import month_statements
from tests.helpers import at
from tests.stats.conftest import day

MARCH, JUNE = day("2026-03-01"), day("2026-06-30")
EAST, WEST = "330781001", "330781101"


def test_the_summary_runs_one_statement_per_table_of_its_small_counts(year, database):
    statements = []

    def record(connection, cursor, statement, *arguments):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with at("2026-07-10"):
            summary(MARCH, JUNE)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    # Interviews 2, outcomes 1, enforcement 1, on time 1, exposures 3, service 1, extensions 1, activity 3
    # (inspections; findings found and overdue; cases opened, closed, to warning, to enforcement).
    assert len(statements) == 13


def test_statements_are_built_once_per_region_level(year):
    with at("2026-07-10"):
        east, west = period_of(MARCH, JUNE, EAST), period_of(day("2026-04-01"), JUNE, WEST)
        assert _activity_statements(east) is _activity_statements(west)
        assert _activity_statements(east) is not _activity_statements(period_of(MARCH, JUNE))
    assert month_statements() is month_statements()


def test_a_reused_statement_takes_each_calls_period_region_and_day(year):
    with at("2026-07-10"):
        east, west, east_again = summary(MARCH, JUNE, EAST), summary(MARCH, JUNE, WEST), summary(MARCH, JUNE, EAST)
        april = summary(day("2026-04-01"), day("2026-04-30"), EAST)
    assert east == east_again
    assert east["findings_found"] != west["findings_found"]
    assert april["findings_found"] < east["findings_found"]
    with at("2026-03-01"):
        before_any_finding = summary(MARCH, JUNE, EAST)
    assert before_any_finding["overdue_now"] == 0 < east["overdue_now"]
