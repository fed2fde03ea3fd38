"""Statistics (SPEC section 5): read-only queries computed in SQL, the township ranking, Excel exports.

Every figure is one or a few aggregate ``select()``s that run unchanged on SQLite and PostgreSQL; the two
dialect differences (adding calendar months, bucketing by month) live in ``inspect_loop.stats.sql``.
"""

from inspect_loop.stats.breakdowns import (
    by_category,
    by_sector,
    monthly_trend,
    overdue_list,
    risk_by_township,
)
from inspect_loop.stats.queries import Period, period_of, summary
from inspect_loop.stats.ranking import township_ranking

__all__ = ["Period", "by_category", "by_sector", "monthly_trend", "overdue_list", "period_of", "risk_by_township",
           "summary", "township_ranking"]
