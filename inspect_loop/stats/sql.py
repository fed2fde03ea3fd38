"""The two date operations SQLite and PostgreSQL spell differently, as SQLAlchemy constructs.

``add_months(day, n)`` follows PostgreSQL's calendar arithmetic on both dialects: the same day ``n`` months
later, or the last day of that month when it is shorter (31 December + 2 months = 28/29 February).
SQLite's own ``date(x, '+2 months')`` overflows into the next month instead (31 December → 3 March), so
there the result is clamped to the last day of the target month.
"""

from sqlalchemy import Date, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.visitors import InternalTraversal


class add_months(FunctionElement):  # noqa: N801  (reads like the SQL function it stands for)
    type = Date()
    inherit_cache = True
    # The month count is written into the SQL text, so it must be part of the statement's cache key.
    _traverse_internals = [*FunctionElement._traverse_internals, ("months", InternalTraversal.dp_plain_obj)]

    def __init__(self, day, months: int):
        if not isinstance(months, int):
            raise TypeError("months must be a Python int (it is written into the SQL text)")
        self.months = months
        super().__init__(day)


@compiles(add_months)
def _add_months_postgresql(element, compiler, **kw):
    day = compiler.process(element.clauses, **kw)
    return f"CAST({day} + INTERVAL '{element.months} months' AS DATE)"


@compiles(add_months, "sqlite")
def _add_months_sqlite(element, compiler, **kw):
    day = compiler.process(element.clauses, **kw)
    months = element.months
    # Text dates compare in calendar order, so min() picks the earlier of "same day" and "month's last day".
    return (f"min(date({day}, '{months:+d} months'), "
            f"date({day}, 'start of month', '{months + 1:+d} months', '-1 day'))")


class year_month(FunctionElement):  # noqa: N801
    """'YYYY-MM' of a date column, for grouping by month."""

    type = String()
    inherit_cache = True


@compiles(year_month)
def _year_month_postgresql(element, compiler, **kw):
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


@compiles(year_month, "sqlite")
def _year_month_sqlite(element, compiler, **kw):
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


class local_day(FunctionElement):  # noqa: N801
    """The local (Asia/Shanghai) date of a naive-UTC timestamp column. China keeps UTC+8 all year (no summer
    time since 1991), so the offset is a constant on both dialects."""

    type = Date()
    inherit_cache = True


@compiles(local_day)
def _local_day_postgresql(element, compiler, **kw):
    return f"CAST({compiler.process(element.clauses, **kw)} + INTERVAL '8 hours' AS DATE)"


@compiles(local_day, "sqlite")
def _local_day_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)}, '+8 hours')"
