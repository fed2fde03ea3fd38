"""警示约谈: the county office's interview rounds at the warning-education station (平安警示教育站).

The list of rounds; a new round (choose the warning-stage cases awaiting a summons, the attending departments,
time and venue: each case gets its 警示约谈通知书); one round's page with every summons, attendance and the
number of participants (每轮参加人次); all the round's summonses as one PDF for printing; the summons list as
an .xlsx sign-in sheet.
"""

from datetime import datetime, time, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.api import scope
from inspect_loop.caching.pages import cached_page
from inspect_loop.db import db
from inspect_loop.errors import InvalidInput
from inspect_loop.interviews.models import InterviewRound, Summons
from inspect_loop.interviews.operations import (
    MINUTES_MAX,
    attach_commitment,
    convene_round,
    record_attendance,
    record_minutes,
    set_participants,
)
from inspect_loop.letters import batch
from inspect_loop.stats.excel import Column
from inspect_loop.users.permissions import Action
from inspect_loop.web import bp
from inspect_loop.web import office_queries as queries
from inspect_loop.web.arguments import query_id, query_text, query_year
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import (
    commit_or_message,
    commit_or_refusal,
    domain_message,
    form_ids,
    form_text,
    paginate,
    search_text,
)
from inspect_loop.web.office import office_required
from inspect_loop.web.office_forms import parse_count, parse_local_datetime, pdf_download
from inspect_loop.web.uploads import posted_photos

DEFAULT_VENUE = "平安警示教育站"
DEFAULT_START = time(14, 30)  # rounds are usually held in the afternoon, a few days after they are called
DEFAULT_NOTICE_DAYS = 3
# The new-round form lists the candidates as checkboxes on one page; beyond this the office narrows the list
# by township or name first.
CANDIDATE_LIMIT = 200
SUMMONSES_PER_PAGE = 50

ROUND_COLUMNS = [
    Column("number", _l("轮次")), Column("held_at", _l("约谈时间")), Column("venue", _l("地点")),
    Column("convened_by", _l("召集单位")), Column("departments", _l("参加部门")), Column("summoned", _l("约谈单位数")),
    Column("attended", _l("到场")), Column("absent", _l("缺席")), Column("unrecorded", _l("未登记")),
    Column("participants", _l("参加人次")),
]
SUMMONS_COLUMNS = [
    Column("position", _l("序号")), Column("unit", _l("单位")), Column("uscc", _l("统一社会信用代码")),
    Column("township", _l("乡镇（街道）")), Column("case_id", _l("案件编号")), Column("document", _l("约谈通知书文号")),
    Column("attendance", _l("到场情况")), Column("attendee_name", _l("到场人员")), Column("attendee_title", _l("职务")),
    Column("note", _l("备注")), Column("signature", _l("签字")),
]


def round_title(interview_round: InterviewRound) -> str:
    return _("%(year)s年第%(number)s轮", year=interview_round.year, number=interview_round.number)


def attendance_word(attended: bool | None) -> str:
    return {True: _("到场"), False: _("缺席")}.get(attended, _("未登记"))


def get_round(round_id: int) -> InterviewRound:
    """The round, or 404; another county's round answers 403."""
    interview_round = db.get_or_404(InterviewRound, round_id)
    if not scope.can_see_round(current_user, interview_round):
        abort(403)
    return interview_round


@bp.get("/office/rounds")
@office_required
@cached_page
def office_rounds():
    year = query_year()
    statement = queries.rounds_statement(current_user, search_text(), year)
    if wants_xlsx():
        rows = [{"number": round_title(item), "held_at": clock.local_datetime(item.held_at).replace(tzinfo=None),
                 "venue": item.venue, "convened_by": item.convened_by.name,
                 "departments": [department.name for department in item.departments], "summoned": summoned,
                 "attended": attended, "absent": absent, "unrecorded": summoned - attended - absent,
                 "participants": item.participants}
                for item, summoned, attended, absent in db.session.execute(statement.limit(MAX_EXPORT_ROWS))
                .unique().all()]
        notes = [(_("年度"), str(year) if year else _("全部")), (_("搜索"), query_text("q"))]
        return xlsx_list(_("警示约谈轮次"), ROUND_COLUMNS, rows, "interview-rounds", notes)
    return render_template("office/rounds.html", pager=paginate(statement),
                           years=queries.round_years(current_user))


# -- a new round ----------------------------------------------------------------------------------------

def candidate_rows() -> tuple[list, int]:
    statement = queries.summons_candidates(current_user, clock.today(), search_text(),
                                           query_id("township"))
    rows = db.session.execute(statement.limit(CANDIDATE_LIMIT)).unique().all()
    return rows, queries.count_of(statement)


def last_venue_address(offices) -> str:
    """The venue address of the offices' latest round: rounds are held at the same station, so the form offers
    it again instead of asking for it each time."""
    return db.session.scalar(
        select(InterviewRound.venue_address)
        .where(InterviewRound.convened_by_id.in_([office.id for office in offices]), InterviewRound.venue_address != "")
        .order_by(InterviewRound.id.desc()).limit(1)) or ""


def render_new_round(message: str | None = None, status: int = 200):
    rows, total = candidate_rows()
    offices = queries.county_offices(current_user)
    default_time = datetime.combine(clock.today() + timedelta(days=DEFAULT_NOTICE_DAYS), DEFAULT_START)
    return render_template(
        "office/round_new.html", candidates=rows, total=total, limit=CANDIDATE_LIMIT, offices=offices,
        departments=queries.county_departments([office.region_id for office in offices]),
        townships=queries.townships_in_scope(current_user), form=request.form, message=message,
        chosen_cases=set(request.form.getlist("case_ids")), chosen_departments=set(request.form.getlist("departments")),
        default_time=default_time.strftime("%Y-%m-%dT%H:%M"), default_venue=DEFAULT_VENUE,
        default_venue_address=last_venue_address(offices)), status


def convene_from_form():
    """Read the new-round form (every choice must come from the lists the page offered) and convene."""
    offices = {office.id: office for office in queries.county_offices(current_user)}
    office_id = form_text("convened_by")
    convened_by = offices.get(int(office_id)) if office_id.isdigit() else None
    if convened_by is None and len(offices) == 1:
        convened_by = next(iter(offices.values()))
    if convened_by is None:
        raise InvalidInput("请选择召集单位", "Choose the convening office.", field="convened_by")
    held_at = parse_local_datetime(form_text("held_at", 40), "held_at", "约谈时间")
    departments = {department.id: department
                   for department in queries.county_departments([convened_by.region_id])}
    chosen_departments = form_ids("departments")
    if any(department_id not in departments for department_id in chosen_departments):
        raise InvalidInput("参加部门须为召集单位所在县（市、区）的部门", "Participating departments must be of the convening office's county.",
                           field="departments")
    statement = queries.summons_candidates(current_user, clock.today())
    candidates = {row[0].id: row[0] for row in db.session.execute(statement).unique().all()}
    chosen_cases = form_ids("case_ids")
    if any(case_id not in candidates for case_id in chosen_cases):
        raise InvalidInput("所选案件已不在待约谈名单中，请刷新后重新选择", "A chosen unit no longer awaits a "
                           "summons: reload the page and choose again.", field="case_ids")
    if any(candidates[case_id].unit.county_id != convened_by.region_id for case_id in chosen_cases):
        raise InvalidInput("约谈对象须为召集单位所在县（市、区）的单位", "The units summoned must be of the "
                           "convening office's county.", field="case_ids")
    return convene_round(
        current_user, held_at=held_at, venue=form_text("venue", 200), venue_address=form_text("venue_address", 200),
        convened_by=convened_by,
        departments=[departments[department_id] for department_id in chosen_departments],
        cases=[candidates[case_id] for case_id in chosen_cases],
        participants=parse_count(form_text("participants", 10), "participants", "参加人次"))


@bp.route("/office/rounds/new", methods=["GET", "POST"])
@permission_required(Action.convene_round)
def office_round_new():
    if request.method == "GET":
        return render_new_round()
    created = []
    message = commit_or_message(lambda: created.append(convene_from_form()))
    if message:
        return render_new_round(message, 400)
    interview_round = created[0]
    flash(_("已组织%(title)s警示约谈，%(count)s份约谈通知书已签发", title=round_title(interview_round),
            count=len(interview_round.summonses)), "success")
    return redirect(url_for("web.office_round", round_id=interview_round.id))


# -- one round ------------------------------------------------------------------------------------------

def summons_row(position: int, summons, documents) -> dict:
    document = documents.get(summons.id)
    return {"position": position, "unit": summons.unit.name, "uscc": summons.unit.uscc or "",
            "township": summons.unit.township.name, "case_id": summons.case_id,
            "document": document.number if document else "", "attendance": attendance_word(summons.attended),
            "attendee_name": summons.attendee_name or "", "attendee_title": summons.attendee_title or "",
            "note": summons.note or "", "signature": ""}


def render_round(interview_round: InterviewRound, message: str | None = None, failed: str = "",
                 status: int = 200):
    pager = paginate(queries.summonses_statement(current_user, interview_round, search_text()),
                     per_page=SUMMONSES_PER_PAGE)
    return render_template("office/round.html", round=interview_round, title=round_title(interview_round),
                           pager=pager, documents=batch.summons_documents(interview_round), message=message,
                           failed=failed, form=request.form), status


@bp.get("/office/rounds/<int:round_id>")
@office_required
@cached_page
def office_round(round_id: int):
    interview_round = get_round(round_id)
    if wants_xlsx():
        documents = batch.summons_documents(interview_round)
        summonses = db.session.scalars(queries.summonses_statement(current_user, interview_round, search_text()))
        rows = [summons_row(position, summons, documents) for position, summons in enumerate(summonses, start=1)]
        notes = [(_("轮次"), round_title(interview_round)), (_("召集单位"), interview_round.convened_by.name),
                 (_("约谈时间"), clock.local_datetime(interview_round.held_at).strftime("%Y-%m-%d %H:%M")),
                 (_("地点"), interview_round.venue)]
        return xlsx_list(_("%(round)s签到表", round=round_title(interview_round)), SUMMONS_COLUMNS, rows,
                         f"round-{interview_round.year}-{interview_round.number}", notes)
    return render_round(interview_round)


def back_to_round(round_id: int, anchor: str | None = None):
    """The round page again, on the page and with the search the form was sent from (the form's URL carries
    both, so that a refused form is shown again on its own page too)."""
    page = request.args.get("page", "")[:6]
    return redirect(url_for("web.office_round", round_id=round_id, page=int(page) if page.isdigit() else None,
                            q=query_text("q") or None, _anchor=anchor))


def posted_summons(interview_round: InterviewRound) -> Summons:
    """The round's summons of the posted case (404 when the round has none, 403 when the reader may not see it)."""
    case_id = form_text("case_id", 12)
    summons = next((item for item in interview_round.summonses if str(item.case_id) == case_id), None)
    if summons is None:
        abort(404)
    if not scope.can_see_case(current_user, summons.case):
        abort(403)
    return summons


@bp.post("/office/rounds/<int:round_id>/attendance")
@permission_required(Action.record_attendance)
def office_round_attendance(round_id: int):
    interview_round = get_round(round_id)
    summons = posted_summons(interview_round)
    choice = form_text("attended", 3)

    def record():
        if choice not in ("yes", "no"):
            raise InvalidInput("请选择是否到场", "Choose whether the unit attended.", field="attended")
        record_attendance(current_user, interview_round, summons.case, attended=choice == "yes",
                          attendee_name=form_text("attendee_name", 50),
                          attendee_title=form_text("attendee_title", 50), note=form_text("note", 1000))

    refusal = commit_or_refusal(record)
    if refusal:
        # The refusal's own status: 409 before the round's time, 400 for a missing name.
        return render_round(db.session.get(InterviewRound, round_id), domain_message(refusal),
                            f"summons-{summons.id}", refusal.http_status)
    flash(_("已登记%(unit)s：%(word)s", unit=summons.unit.name, word=attendance_word(choice == "yes")), "success")
    return back_to_round(round_id, f"summons-{summons.id}")


@bp.post("/office/rounds/<int:round_id>/minutes")
@permission_required(Action.record_attendance)
def office_round_minutes(round_id: int):
    interview_round = get_round(round_id)
    summons = posted_summons(interview_round)
    refusal = commit_or_refusal(lambda: record_minutes(
        current_user, interview_round, summons.case, form_text("minutes", MINUTES_MAX + 100),
        reason=form_text("reason", 1000)))
    key = f"minutes-{summons.id}"
    if refusal:
        return render_round(db.session.get(InterviewRound, round_id), domain_message(refusal), key,
                            refusal.http_status)
    flash(_("已保存%(unit)s的约谈记录", unit=summons.unit.name), "success")
    return back_to_round(round_id, f"summons-{summons.id}")


@bp.post("/office/rounds/<int:round_id>/commitments")
@permission_required(Action.record_attendance)
def office_round_commitments(round_id: int):
    """The unit's signed 责任书/承诺书: its pages uploaded as photos (checked and re-encoded like every photo)."""
    interview_round = get_round(round_id)
    summons = posted_summons(interview_round)
    refusal = commit_or_refusal(lambda: attach_commitment(
        current_user, interview_round, summons.case, posted_photos("photos", "photo_files", current_user)))
    if refusal:
        return render_round(db.session.get(InterviewRound, round_id), domain_message(refusal),
                            f"commitment-{summons.id}", refusal.http_status)
    flash(_("已保存%(unit)s的责任书（承诺书）", unit=summons.unit.name), "success")
    return back_to_round(round_id, f"summons-{summons.id}")


@bp.post("/office/rounds/<int:round_id>/participants")
@permission_required(Action.record_attendance)
def office_round_participants(round_id: int):
    interview_round = get_round(round_id)
    message = commit_or_message(lambda: set_participants(
        current_user, interview_round, parse_count(form_text("participants", 10), "participants", "参加人次")))
    if message:
        return render_round(db.session.get(InterviewRound, round_id), message, "participants", 400)
    flash(_("参加人次已更新"), "success")
    return back_to_round(round_id)


@bp.get("/office/rounds/<int:round_id>/summonses.pdf")
@office_required
def office_round_summonses_pdf(round_id: int):
    """Every valid 警示约谈通知书 of the round in summons order, as issued, in one PDF for printing."""
    interview_round = get_round(round_id)
    documents = batch.summons_documents(interview_round)
    ordered = [documents[summons.id] for summons in interview_round.summonses
               if summons.id in documents and scope.can_see_case(current_user, summons.case)]
    if not ordered:
        flash(_("本轮没有有效的约谈通知书"), "info")
        return redirect(url_for("web.office_round", round_id=round_id))
    return pdf_download(batch.merged_pdf(ordered),
                        f"summonses-{interview_round.year}-{interview_round.number}.pdf")
