"""The 重点监管名单's pages: the list (with its count on the workbench and an Excel download), the county
office's exit decision from the unit page, and the county's rules for a unit's history."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from inspect_loop.api import scope
from inspect_loop.api.serialize import watch_list_out
from inspect_loop.caching.pages import cached_page
from inspect_loop.db import db
from inspect_loop.errors import InvalidInput
from inspect_loop.stats.excel import Column
from inspect_loop.units.models import Unit
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.watch_list.operations import CLEAN_MONTHS_RANGE, decide_exit, set_history_rules
from inspect_loop.watch_list.queries import listed_units
from inspect_loop.web import bp
from inspect_loop.web.arguments import query_id
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import wants_xlsx, xlsx_list
from inspect_loop.web.helpers import (
    commit_or_refusal,
    configurable_counties,
    domain_message,
    form_text,
    posted_county,
)
from inspect_loop.web.labels import label

WATCH_LIST_COLUMNS = [
    Column("unit", _l("单位")), Column("uscc", _l("统一社会信用代码")), Column("township", _l("乡镇（街道）")),
    Column("address", _l("地址")), Column("status", _l("经营状态")), Column("reasons", _l("列入原因")),
    Column("since", _l("列入日期")), Column("may_leave_from", _l("最早可移出日期")),
]


def watch_list_rows(township_id: int | None) -> list[dict]:
    condition = scope.unit_condition(current_user)
    if township_id is not None:
        condition = condition & (Unit.township_id == township_id)
    rows = []
    for item in listed_units(condition):
        place = watch_list_out(item.unit, item.entries)
        rows.append({"unit": item.unit, "place": place, "reasons": "、".join(
            f"{label(entry.reason)}（{entry.entered_on.isoformat()}）" for entry in item.entries)})
    return rows


@bp.get("/watch-list")
@permission_required(Action.view_cases)
@cached_page
def watch_list():
    township = query_id("township")
    rows = watch_list_rows(township)
    if wants_xlsx():
        export = [{"unit": row["unit"].name, "uscc": row["unit"].uscc or "", "township": row["unit"].township.name,
                   "address": row["unit"].address, "status": label(row["unit"].status), "reasons": row["reasons"],
                   "since": row["place"].since, "may_leave_from": row["place"].may_leave_from} for row in rows]
        return xlsx_list(_("重点监管名单"), WATCH_LIST_COLUMNS, export, "watch-list")
    return render_template("units/watch_list.html", rows=rows,
                           may_configure=allowed(current_user, Action.configure_history_rules))


@bp.post("/units/<int:unit_id>/watch-list/exit")
@permission_required(Action.decide_watch_list_exit)
def watch_list_exit(unit_id: int):
    """The county office's decision from the unit page; a refusal (too early, a case open) is shown there."""
    unit = db.get_or_404(Unit, unit_id)
    refusal = commit_or_refusal(lambda: decide_exit(current_user, unit, form_text("note", 1000)))
    if refusal is None:
        flash(_("已移出重点监管名单"), "success")
    else:
        flash(domain_message(refusal), "error")
    return redirect(url_for("web.unit", unit_id=unit_id, _anchor="watch-list"))


@bp.route("/history-rules", methods=["GET", "POST"])
@permission_required(Action.configure_history_rules)
def history_rules():
    counties = configurable_counties()
    message, status = None, 200
    if request.method == "POST":
        county = posted_county(counties)
        months = form_text("watch_list_clean_months")

        def configure():
            if county is None:
                raise InvalidInput("请选择县（市、区）", "Choose a county.", field="county")
            if not months.isdigit() or int(months) not in CLEAN_MONTHS_RANGE:
                raise InvalidInput("无新案件的期限须为 1 至 36 个月", "The clean period is 1 to 36 months.",
                                   field="watch_list_clean_months")
            set_history_rules(current_user, county, recurrence_opens_at_warning=form_text("recurrence") == "on",
                              watch_list_clean_months=int(months))

        refusal = commit_or_refusal(configure)
        if refusal is None:
            flash(_("规则已保存"), "success")
            return redirect(url_for("web.history_rules"))
        message, status = domain_message(refusal), refusal.http_status
    return render_template("units/history_rules.html", counties=counties, message=message,
                           months_range=CLEAN_MONTHS_RANGE), status


