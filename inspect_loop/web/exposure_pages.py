"""平安曝光 for the county safety office: drafts, submission, a second person's approval or return, the last day
on show, taking an exposure down.

Every page needs ``manage_exposures`` (the county office and the administrator); approving and returning need
``approve_exposures`` and a person who did not write the exposure (the operation checks); a county office sees and
manages the exposures of its own county only. Drafts are never public; the public page is ``/exposures``
(``inspect_loop.exposures.views``). Each POST calls one operation of ``inspect_loop.exposures.operations``.
"""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.caching.pages import cached_page
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.exposures import queries
from inspect_loop.exposures.models import Exposure
from inspect_loop.exposures.operations import (
    TITLE_LENGTH,
    approve_exposure,
    create_exposure,
    discard_draft,
    is_author,
    places_of,
    return_exposure,
    set_expiry,
    submit_exposure,
    take_down,
    update_draft,
)
from inspect_loop.exposures.queries import ExposureState, Only
from inspect_loop.exposures.views import RECTIFICATION
from inspect_loop.inspections.models import Finding
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.stats.excel import Column
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.web import bp
from inspect_loop.web.arguments import parse_day, query_id
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import domain_message, form_ids, form_text, paginate, search_text

CANDIDATES_PER_PAGE = 30
STATE_LABELS = {ExposureState.draft: _l("草稿"), ExposureState.awaiting: _l("待审批"), ExposureState.shown: _l("公示中"),
                ExposureState.ended: _l("已下线")}
STATE_TONES = {ExposureState.draft: "neutral", ExposureState.awaiting: "warn", ExposureState.shown: "good",
               ExposureState.ended: "neutral"}
ONLY_LABELS = {Only.major: _l("重大隐患"), Only.overdue: _l("逾期未整改"), Only.open: _l("整改中")}

manage_required = permission_required(Action.manage_exposures)
approve_required = permission_required(Action.approve_exposures)
SUBMITTED = _l("已送审，须由本单位另一人审批通过后才会发布。")


def acting_county_id() -> int | None:
    """The county a county-office user manages; None for the administrator, who manages every county."""
    department = current_user.department
    return department.region_id if department is not None else None


def get_exposure(exposure_id: int) -> Exposure:
    """The exposure, 404 when unknown, 403 when it lists units of another county."""
    exposure = db.session.get(Exposure, exposure_id, options=queries.with_places())
    if exposure is None:
        abort(404)
    county_id = acting_county_id()
    if county_id is not None and any(item.unit.county_id != county_id for item in exposure.items):
        abort(403)
    return exposure


def townships() -> list[Region]:
    statement = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    county_id = acting_county_id()
    if county_id is not None:
        statement = statement.where(Region.parent_id == county_id)
    return list(db.session.scalars(statement))


def state_view(exposure: Exposure) -> dict:
    state = queries.state_of(exposure, clock.today())
    return {"state": state, "state_label": STATE_LABELS[state], "state_tone": STATE_TONES[state]}


def posted_date(name: str, label: str) -> date | None:
    return parse_day(form_text(name, 20), name, label)


# -- the list -------------------------------------------------------------------------------------------

@bp.get("/office/exposures")
@manage_required
@cached_page
def exposures_admin():
    today = clock.today()
    chosen = request.args.get("state", "")
    state = ExposureState(chosen) if chosen in ExposureState.__members__ else None
    statement = queries.exposures(acting_county_id(), state, today)
    if wants_xlsx():
        rows = [{"title": exposure.title, "state": str(STATE_LABELS[queries.state_of(exposure, today)]),
                 "published_on": exposure.published_on, "expires_on": exposure.expires_on, "places": places,
                 "problems": problems, "closed": closed}
                for exposure, places, problems, closed in db.session.execute(statement.limit(MAX_EXPORT_ROWS))]
        columns = [("title", _("标题")), ("state", _("状态")), ("published_on", _("发布日期")),
                   ("expires_on", _("公示截止")), ("places", _("曝光场所数")), ("problems", _("曝光问题数")),
                   ("closed", _("已整改问题数"))]
        return xlsx_list(_("平安曝光"), columns, rows, _("平安曝光"),
                         filters=[(_("状态"), str(STATE_LABELS[state]) if state else _("全部"))])
    return render_template("exposures/list.html", pager=paginate(statement), state=state, today=today,
                           counts=queries.state_counts(acting_county_id(), today), state_labels=STATE_LABELS,
                           state_tones=STATE_TONES, state_of=queries.state_of)


# -- drafting -------------------------------------------------------------------------------------------

def picker(chosen: list[Finding]) -> dict:
    """The problem picker: the chosen problems first, then one page of the search's results."""
    text = search_text()
    only = request.args.get("only", "")
    statement = queries.candidates(acting_county_id(), text=text, township_id=query_id("township"),
                                   only=Only(only) if only in Only.__members__ else None, today=clock.today())
    chosen_ids = {finding.id for finding in chosen}
    if chosen_ids:
        statement = statement.where(Finding.id.not_in(chosen_ids))
    return {"chosen": chosen, "pager": paginate(statement, per_page=CANDIDATES_PER_PAGE), "townships": townships(),
            "only_labels": ONLY_LABELS, "rectification": RECTIFICATION, "today": clock.today(),
            "title_length": TITLE_LENGTH}


def posted_exposure() -> tuple[str, date | None, list[Finding]]:
    """Title, last day on show and chosen problems of the posted form (problems grouped into places later)."""
    return (form_text("title", TITLE_LENGTH + 50), posted_date("expires_on", "公示截止日期"),
            queries.chosen_findings(form_ids("finding_ids"), acting_county_id()))


def form_again(template: str, error: DomainError, **context):
    """The form as posted, with the refusal, and nothing changed."""
    db.session.rollback()
    try:
        chosen = queries.chosen_findings(form_ids("finding_ids"), acting_county_id())
    except DomainError:
        chosen = []
    return render_template(template, error=domain_message(error), title=form_text("title", TITLE_LENGTH + 50),
                           expires_on=form_text("expires_on", 20), **picker(chosen), **context), 400


@bp.route("/office/exposures/new", methods=["GET", "POST"])
@manage_required
def exposure_new():
    if request.method == "GET":
        return render_template("exposures/form.html", exposure=None, error=None, title="", expires_on="",
                               **picker([]))
    submit_now = request.form.get("action") == "submit"
    try:
        title, expires_on, findings = posted_exposure()
        exposure = create_exposure(current_user, title=title, items=places_of(findings), draft=not submit_now,
                                   expires_on=expires_on)
    except DomainError as error:
        return form_again("exposures/form.html", error, exposure=None)
    db.session.commit()
    flash(SUBMITTED if submit_now else _("已存为草稿，草稿不会公开。"), "success")
    return redirect(url_for("web.exposure_admin", exposure_id=exposure.id))


@bp.route("/office/exposures/<int:exposure_id>/edit", methods=["GET", "POST"])
@manage_required
def exposure_edit(exposure_id: int):
    exposure = get_exposure(exposure_id)
    if queries.state_of(exposure, clock.today()) != ExposureState.draft:
        flash(_("只有草稿可以修改；待审批的曝光须先由审批人退回。"), "error")
        return redirect(url_for("web.exposure_admin", exposure_id=exposure.id))
    if request.method == "GET":
        chosen = [finding for item in exposure.items for finding in item.findings]
        return render_template("exposures/form.html", exposure=exposure, error=None, title=exposure.title,
                               expires_on=exposure.expires_on.isoformat() if exposure.expires_on else "",
                               **picker(chosen))
    try:
        title, expires_on, findings = posted_exposure()
        update_draft(current_user, exposure, title=title, items=places_of(findings), expires_on=expires_on)
    except DomainError as error:
        return form_again("exposures/form.html", error, exposure=get_exposure(exposure_id))
    db.session.commit()
    flash(_("草稿已保存。"), "success")
    return redirect(url_for("web.exposure_admin", exposure_id=exposure.id))


# -- one exposure ---------------------------------------------------------------------------------------

def place_rows(exposure: Exposure) -> list[dict]:
    """One row per listed problem, for the page and its Excel print-out."""
    rows = []
    for item in exposure.items:
        for finding in item.findings:
            rectification, _tone = RECTIFICATION[finding.status]
            rows.append({"unit": item.unit.name, "address": item.unit.address, "finding_id": finding.id,
                         "hazard": finding.hazard_type.title, "category": finding.hazard_type.category,
                         "severity": _("重大") if finding.severity.value == "major" else _("一般"),
                         "found_on": finding.found_on, "rectification": str(rectification)})
    return rows


@bp.get("/office/exposures/<int:exposure_id>")
@manage_required
@cached_page
def exposure_admin(exposure_id: int):
    exposure = get_exposure(exposure_id)
    if wants_xlsx():
        columns = [Column("unit", _("曝光场所")), Column("address", _("地址")), Column("finding_id", _("问题编号")),
                   Column("hazard", _("问题")), Column("category", _("类别")), Column("severity", _("等级")),
                   Column("found_on", _("发现日期")), Column("rectification", _("整改情况"))]
        facts = [(_("标题"), exposure.title), (_("状态"), str(state_view(exposure)["state_label"])),
                 (_("发布日期"), exposure.published_on.isoformat() if exposure.published_on else _("未发布")),
                 (_("公示截止"), exposure.expires_on.isoformat() if exposure.expires_on else _("未设定"))]
        return xlsx_list(_("平安曝光场所与问题"), columns, place_rows(exposure), f"{_('平安曝光')}-{exposure.id}",
                         filters=facts)
    can_decide = allowed(current_user, Action.approve_exposures) and not is_author(current_user, exposure)
    return render_template("exposures/detail.html", exposure=exposure, today=clock.today(), **state_view(exposure),
                           rectification=RECTIFICATION, can_decide=can_decide)


def act(exposure_id: int, operation, done: str):
    """Run one operation on the exposure, commit, and go back to its page with what happened or why not."""
    exposure = get_exposure(exposure_id)
    try:
        operation(exposure)
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("web.exposure_admin", exposure_id=exposure_id))


@bp.post("/office/exposures/<int:exposure_id>/submit")
@manage_required
def exposure_submit(exposure_id: int):
    return act(exposure_id, lambda exposure: submit_exposure(current_user, exposure), str(SUBMITTED))


@bp.post("/office/exposures/<int:exposure_id>/approve")
@approve_required
def exposure_approve(exposure_id: int):
    return act(exposure_id, lambda exposure: approve_exposure(current_user, exposure),
               _("已审批通过，平安曝光已发布，公众可在“平安曝光”页面查看。"))


@bp.post("/office/exposures/<int:exposure_id>/return")
@approve_required
def exposure_return(exposure_id: int):
    return act(exposure_id, lambda exposure: return_exposure(current_user, exposure, form_text("reason")),
               _("已退回修改，起草人可在草稿中看到退回原因。"))


@bp.post("/office/exposures/<int:exposure_id>/expiry")
@manage_required
def exposure_expiry(exposure_id: int):
    def change(exposure):
        set_expiry(current_user, exposure, posted_date("expires_on", "公示截止日期"))

    return act(exposure_id, change, _("公示截止日期已修改。"))


@bp.post("/office/exposures/<int:exposure_id>/take-down")
@manage_required
def exposure_take_down(exposure_id: int):
    return act(exposure_id, lambda exposure: take_down(current_user, exposure, form_text("reason")),
               _("已下线，公众页面不再显示；该次曝光仍计入其发布期间的统计。"))


@bp.post("/office/exposures/<int:exposure_id>/discard")
@manage_required
def exposure_discard(exposure_id: int):
    exposure = get_exposure(exposure_id)
    try:
        discard_draft(current_user, exposure)
    except DomainError as error:
        db.session.rollback()
        flash(domain_message(error), "error")
        return redirect(url_for("web.exposure_admin", exposure_id=exposure_id))
    db.session.commit()
    flash(_("草稿已删除。"), "success")
    return redirect(url_for("web.exposures_admin"))
