"""统计分析 (the dashboard) and 月晾晒 (the monthly township ranking), with an Excel download of every figure
and table on them.

Both pages are for the roles that may ``view_stats``, each reader within its own region
(``inspect_loop.stats.scope``). The figures come from ``inspect_loop.stats``, the
functions the API answers with, so a page and ``/api/v1/stats/…`` never disagree. Charts are drawn in the
browser by the vendored ECharts (``static/js/dashboard.js``) from rows handed over in ``data-*``
attributes; every chart has its table beside it and its own .xlsx download with the 口径说明 sheet.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from inspect_loop import clock
from inspect_loop.caching.pages import cached_page
from inspect_loop.errors import DomainError
from inspect_loop.regions.models import RegionLevel
from inspect_loop.stats import breakdowns, excel
from inspect_loop.stats.definitions import BREAKDOWNS, RANKING_COLUMNS, SUMMARY_FIGURES, SUMMARY_LABELS
from inspect_loop.stats.queries import period_of, summary
from inspect_loop.stats.ranking import WEIGHTS, month_of, parse_month, township_ranking
from inspect_loop.stats.scope import figures_region, ranking_region, readable_counties, readable_regions
from inspect_loop.users.permissions import Action, home_region
from inspect_loop.web import bp
from inspect_loop.web.arguments import query_day
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, XLSX_MIMETYPE
from inspect_loop.web.helpers import domain_message

OVERDUE_SHOWN = 20

# The dashboard's groups of SPEC section 5 figures (keys of ``summary()``, nested ones with a dot).
FIGURE_GROUPS = [
    (_l("警示约谈"), ["interview_rounds", "education_person_times", "units_interviewed", "units_absent",
                  "units_rectified_on_time"]),
    (_l("整改成效"), ["on_time_rate", "findings_closed", "findings_rectified_on_time", "recurrence.units_eligible",
                  "recurrence.units_recurred", "recurrence.rate"]),
    (_l("执法"), ["joint_enforcements", "fines", "suspensions", "shutdowns", "bans"]),
    (_l("平安曝光"), ["exposures.actions", "exposures.places", "exposures.problems", "exposures.problems_closed"]),
    (_l("延期整改"), ["extensions.requested", "extensions.approved", "extensions.refused"]),
    (_l("检查与闭环"), ["inspections", "findings_found", "on_the_spot_rectified", "cases_opened", "cases_closed", "cases_to_warning",
                   "cases_to_enforcement", "overdue_now"]),
    (_l("文书送达"), [f"service.{kind}.{figure}" for kind in ("reminder", "summons", "referral")
                  for figure in ("rate", "issued", "served")]),
]
DEFINITIONS = {key: text for key, _label, text in SUMMARY_FIGURES}
PERIOD_TABLES = {"trend": breakdowns.monthly_trend, "categories": breakdowns.by_category,
                 "sectors": breakdowns.by_sector}


@dataclass(frozen=True)
class StatsFilters:
    date_from: date
    date_to: date
    region: str | None  # a county or township code; None = every region

    def args(self) -> dict:
        """The query string that shows these figures again (for links and downloads)."""
        return {"from": self.date_from.isoformat(), "to": self.date_to.isoformat(), "region": self.region or ""}


def own_region(level: RegionLevel) -> str | None:
    """The code of the user's own township or county (by its department), at ``level`` or the nearest above."""
    department = current_user.department
    region = department.region if department is not None else None
    while region is not None and region.level not in (RegionLevel.county, RegionLevel.township):
        region = region.parent
    if region is not None and level == RegionLevel.county:
        region = region.ancestor(RegionLevel.county)
    return region.code if region is not None else None


def _day(name: str, label: str, default: date) -> date:
    return query_day(name, label) or default


def default_filters() -> StatsFilters:
    """This year so far in one's own region: what the dashboard shows when nothing is asked for."""
    today = clock.today()
    return StatsFilters(today.replace(month=1, day=1), today,
                        figures_region(current_user, own_region(RegionLevel.township)))


def requested_filters() -> tuple[StatsFilters, str | None]:
    """The period and region asked for, checked; on bad input the default (this year so far, one's own region)
    and the message saying what was wrong."""
    default = default_filters()
    try:
        date_to = _day("to", _("结束日期"), default.date_to)
        date_from = _day("from", _("开始日期"), date_to.replace(month=1, day=1))
        region = (request.args["region"].strip() or None) if "region" in request.args else default.region
        region = figures_region(current_user, region)  # refuses regions outside the reader's
        period_of(date_from, date_to, region)  # refuses from > to and unknown or village regions
    except DomainError as error:
        return default, domain_message(error)
    return StatsFilters(date_from, date_to, region), None


def period_presets(today: date) -> list[tuple[str, date, date]]:
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    year, month = divmod(today.year * 12 + today.month - 1 - 11, 12)
    return [(_("本年"), today.replace(month=1, day=1), today),
            (_("本月"), today.replace(day=1), today),
            (_("上月"), last_month.first, last_month.last),
            (_("近12个月"), date(year, month + 1, 1), today)]


def period_name(filters: StatsFilters, presets: list[tuple[str, date, date]]) -> str | None:
    """What the period is called, for the page's 统计期间 sentence: the default's name, or the quick period's
    it matches; None for a period of one's own choosing."""
    if filters == default_filters():
        return _("本年至今，默认期间")
    return next((text for text, first, last in presets
                 if (first, last) == (filters.date_from, filters.date_to)), None)


def figure_groups(figures: dict) -> list[dict]:
    """The summary as labelled groups of (key, label, value, is_rate, definition) for the page."""
    flat = excel.flatten(figures)
    return [{"title": title, "figures": [{"key": key, "label": SUMMARY_LABELS[key], "value": flat[key],
                                          "rate": key.endswith("rate"), "definition": DEFINITIONS[key]}
                                         for key in keys]}
            for title, keys in FIGURE_GROUPS]


def chart_labels(name: str) -> dict[str, str]:
    """Column key → header of one of the breakdown tables in the reader's language, for the chart's series
    names and the table's headers."""
    return {key: _(header) for key, header, _definition in BREAKDOWNS[name][1]}


def table_columns(name: str) -> list[tuple[str, str, str]]:
    """(key, header, definition) of a breakdown table, the header in the reader's language (the definitions
    are the official Chinese 口径)."""
    return [(key, _(header), definition) for key, header, definition in BREAKDOWNS[name][1]]


def weight_texts() -> list[str]:
    """The 月晾晒 deductions in the reader's language; the Excel download states them in Chinese
    (``stats.excel.weight_text``)."""
    texts = []
    for key, value in WEIGHTS.items():
        if key == "late_rectification":
            texts.append(_("当月销号问题中未按时整改的比例 × %(points)s 分（按时整改率每低1个百分点扣 %(per_point)s 分）",
                           points=f"{value:g}", per_point=f"{value / 100:g}"))
        else:
            texts.append(_("%(what)s每个扣 %(points)s 分", what=_(excel.WEIGHT_LABELS[key]), points=f"{value:g}"))
    return texts


@bp.get("/dashboard")
@permission_required(Action.view_stats)
@cached_page
def dashboard():
    filters, error = requested_filters()
    date_from, date_to, region = filters.date_from, filters.date_to, filters.region
    figures = summary(date_from, date_to, region)
    categories, sectors = breakdowns.cohorts(date_from, date_to, region)
    presets = period_presets(clock.today())
    return render_template(
        "dashboard/index.html", filters=filters, error=error, figures=figures, groups=figure_groups(figures),
        trend=breakdowns.monthly_trend(date_from, date_to, region), categories=categories, sectors=sectors,
        risk=breakdowns.risk_by_township(region), overdue=breakdowns.overdue_list(region, OVERDUE_SHOWN),
        overdue_total=figures["overdue_now"], regions=readable_regions(current_user),
        every_region=home_region(current_user) is None, presets=presets,
        period_name=period_name(filters, presets),
        labels={name: chart_labels(name) for name in BREAKDOWNS},
        tables={name: table_columns(name) for name in BREAKDOWNS}, today=clock.today())


def xlsx_download(content: bytes, name: str):
    return send_file(BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=f"{name}.xlsx")


@bp.get("/dashboard/<table>.xlsx")
@permission_required(Action.view_stats)
def dashboard_export(table: str):
    """One figure set or table of the dashboard as .xlsx, for the same period and region as the page."""
    if table not in ("summary", *BREAKDOWNS):
        abort(404)
    filters, error = requested_filters()
    if error:
        flash(error, "error")
        return redirect(url_for("web.dashboard"))
    date_from, date_to, region = filters.date_from, filters.date_to, filters.region
    span = f"{date_from.isoformat()}至{date_to.isoformat()}"
    if table == "summary":
        return xlsx_download(excel.workbook_for_summary(summary(date_from, date_to, region)), f"统计汇总-{span}")
    title = BREAKDOWNS[table][0]
    if table in PERIOD_TABLES:
        rows = PERIOD_TABLES[table](date_from, date_to, region)
        period = period_of(date_from, date_to, region).describe()
        return xlsx_download(excel.workbook_for_breakdown(table, rows, period), f"{title}-{span}")
    rows = (breakdowns.risk_by_township(region) if table == "risk"
            else breakdowns.overdue_list(region, MAX_EXPORT_ROWS))
    return xlsx_download(excel.workbook_for_breakdown(table, rows), f"{title}-{clock.today().isoformat()}")


# -- 月晾晒 ---------------------------------------------------------------------------------------------

def requested_ranking() -> tuple[dict, str | None, str | None]:
    """The ranking asked for (``month``, ``region`` = a county code; without a month the last complete one)
    with that region, or on bad input the default month's for one's own county and the message saying what
    was wrong."""
    own = ranking_region(current_user, own_region(RegionLevel.county))
    region = (request.args["region"].strip() or None) if "region" in request.args else own
    try:
        region = ranking_region(current_user, region)
        return township_ranking((request.args.get("month") or "").strip() or None, region), region, None
    except DomainError as error:
        return township_ranking(None, own), own, domain_message(error)


def neighbour_months(month: str) -> tuple[str, str | None]:
    """The month before and, unless ``month`` is the current one, the month after."""
    chosen = parse_month(month)
    following = month_of(chosen.last + timedelta(days=1))
    return chosen.previous().label, following.label if following.first <= clock.today() else None


def asked_month() -> bool:
    return bool((request.args.get("month") or "").strip())


@bp.get("/ranking")
@permission_required(Action.view_stats)
@cached_page
def ranking():
    result, region, error = requested_ranking()
    previous_month, next_month = neighbour_months(result["month"])
    counties = readable_counties(current_user)
    return render_template("dashboard/ranking.html", result=result, error=error, region=region, counties=counties,
                           every_region=home_region(current_user) is None,
                           previous_month=previous_month, next_month=next_month,
                           current_month=month_of(clock.today()).label, default_month=error is not None or not asked_month(),
                           weight_texts=weight_texts(),
                           columns={key: _(header) for key, header, _definition in RANKING_COLUMNS})


@bp.get("/ranking.xlsx")
@permission_required(Action.view_stats)
def ranking_export():
    result, _region, error = requested_ranking()
    if error:
        flash(error, "error")
        return redirect(url_for("web.ranking"))
    return xlsx_download(excel.workbook_for_ranking(result), f"月晾晒-{result['month']}")
