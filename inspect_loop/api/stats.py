"""``/api/v1/stats/…``: the SPEC section 5 figures, the 月晾晒 ranking and the breakdowns, as JSON or .xlsx.

Every route needs ``view_stats`` and answers for the regions its reader may read (``stats/scope.py``: without
``region`` the reader's own township or county). ``format=xlsx`` answers the same figures as an Excel download with a
口径说明 sheet. Statistics only read (the route's single commit writes at most a token's last use).
"""

from collections.abc import Callable
from datetime import date
from io import BytesIO

from flask import jsonify, send_file

from inspect_loop import clock
from inspect_loop.api.routing import XLSX, route
from inspect_loop.api.schemas import OverdueQuery, PeriodQuery, RankingQuery, RegionStatsQuery
from inspect_loop.stats import breakdowns, excel
from inspect_loop.stats.queries import period_of, summary
from inspect_loop.stats.ranking import township_ranking
from inspect_loop.stats.scope import figures_region, ranking_region
from inspect_loop.users.permissions import Action


def xlsx_download(content: bytes, filename: str):
    return send_file(BytesIO(content), mimetype=XLSX, as_attachment=True, download_name=filename)


def period_bounds(query: PeriodQuery) -> tuple[date, date]:
    """Without ``to`` the period ends today; without ``from`` it starts on 1 January of ``to``'s year."""
    date_to = query.date_to or clock.today()
    return query.date_from or date_to.replace(month=1, day=1), date_to


def stats_route(rule: str, summary_text: str, query_model) -> Callable:
    return route("GET", rule, summary=summary_text, permission=Action.view_stats, query=query_model,
                 media_type="application/json", xlsx=True)


@stats_route("/stats/summary", "SPEC 第5节全部统计指标", PeriodQuery)
def stats_summary(actor, query: PeriodQuery):
    date_from, date_to = period_bounds(query)
    figures = summary(date_from, date_to, figures_region(actor, query.region))
    if query.format == "xlsx":
        return xlsx_download(excel.workbook_for_summary(figures),
                             f"stats-summary-{date_from.isoformat()}-{date_to.isoformat()}.xlsx")
    return jsonify(figures)


@stats_route("/stats/townships", "乡镇（街道）月晾晒排名", RankingQuery)
def stats_townships(actor, query: RankingQuery):
    ranking = township_ranking(query.month, ranking_region(actor, query.region))
    if query.format == "xlsx":
        return xlsx_download(excel.workbook_for_ranking(ranking), f"township-ranking-{ranking['month']}.xlsx")
    return jsonify(ranking)


def _period_table(actor, name: str, compute: Callable, query: PeriodQuery):
    date_from, date_to = period_bounds(query)
    region = figures_region(actor, query.region)
    rows = compute(date_from, date_to, region)
    if query.format == "xlsx":
        period = period_of(date_from, date_to, region).describe()  # for the 口径说明 sheet
        return xlsx_download(excel.workbook_for_breakdown(name, rows, period),
                             f"stats-{name}-{date_from.isoformat()}-{date_to.isoformat()}.xlsx")
    return jsonify({"from": date_from.isoformat(), "to": date_to.isoformat(), "region": region, "rows": rows})


@stats_route("/stats/trend", "按月趋势", PeriodQuery)
def stats_trend(actor, query: PeriodQuery):
    return _period_table(actor, "trend", breakdowns.monthly_trend, query)


@stats_route("/stats/categories", "按隐患类别统计", PeriodQuery)
def stats_categories(actor, query: PeriodQuery):
    return _period_table(actor, "categories", breakdowns.by_category, query)


@stats_route("/stats/sectors", "按行业（主管部门）统计", PeriodQuery)
def stats_sectors(actor, query: PeriodQuery):
    return _period_table(actor, "sectors", breakdowns.by_sector, query)


def _snapshot_table(name: str, rows: list[dict], region: str | None, query: RegionStatsQuery):
    """A table of how things stand today (not of a period)."""
    if query.format == "xlsx":
        return xlsx_download(excel.workbook_for_breakdown(name, rows), f"stats-{name}-{clock.today()}.xlsx")
    return jsonify({"as_of": clock.today().isoformat(), "region": region, "rows": rows})


@stats_route("/stats/risk", "各乡镇（街道）红黄绿三色单位数（当前）", RegionStatsQuery)
def stats_risk(actor, query: RegionStatsQuery):
    region = figures_region(actor, query.region)
    return _snapshot_table("risk", breakdowns.risk_by_township(region), region, query)


@stats_route("/stats/overdue", "逾期未整改问题清单（当前）", OverdueQuery)
def stats_overdue(actor, query: OverdueQuery):
    region = figures_region(actor, query.region)
    return _snapshot_table("overdue", breakdowns.overdue_list(region, query.limit), region, query)
