"""警示教育活动 for the county office: the list of voluntary sessions and live streams at its stations, with their
person-times (and its Excel print-out), a new session, and correcting one. Each POST calls one operation of
``inspect_loop.interviews.training``; the person-times count in 教育人次 (``docs/statistics.md``).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from inspect_loop import clock
from inspect_loop.caching.pages import cached_page
from inspect_loop.db import db
from inspect_loop.errors import DomainError, InvalidInput
from inspect_loop.interviews.models import TrainingKind, TrainingSession
from inspect_loop.interviews.training import (
    ORGANISER_MAX,
    PERSON_TIMES_MAX,
    TOPIC_MAX,
    TrainingFacts,
    record_training,
    sessions,
    update_training,
)
from inspect_loop.regions.models import Region, RegionLevel
from inspect_loop.stats.excel import Column
from inspect_loop.users.permissions import Action, county_id_of, require_in_county
from inspect_loop.web import bp
from inspect_loop.web.arguments import parse_day
from inspect_loop.web.auth import permission_required
from inspect_loop.web.exports import MAX_EXPORT_ROWS, wants_xlsx, xlsx_list
from inspect_loop.web.helpers import domain_message, form_text, paginate
from inspect_loop.web.labels import label

training_required = permission_required(Action.record_training)
COLUMNS = [Column("held_on", _l("活动日期")), Column("kind", _l("形式")), Column("topic", _l("主题")),
           Column("organiser", _l("组织单位")), Column("station", _l("教育站")), Column("person_times", _l("人次"))]


def station_name(session: TrainingSession) -> str:
    return session.township.name if session.township else _("%(county)s本级", county=session.county.name)


def chosen_kind() -> TrainingKind | None:
    kind = request.args.get("kind", "")
    return TrainingKind(kind) if kind in TrainingKind.__members__ else None


def listed_period():
    """The list's period filter; a bad date is refused with its message and the filter left out."""
    try:
        return (parse_day(request.args.get("from", "")[:20], "from", "起始日期"),
                parse_day(request.args.get("to", "")[:20], "to", "截止日期"), None)
    except InvalidInput as error:
        return None, None, domain_message(error)


@bp.get("/office/training")
@training_required
@cached_page
def training_sessions():
    kind = chosen_kind()
    date_from, date_to, error = listed_period()
    statement = sessions(county_id_of(current_user), kind=kind, date_from=date_from, date_to=date_to)
    if wants_xlsx():
        rows = [{"held_on": session.held_on, "kind": label(session.kind), "topic": session.topic,
                 "organiser": session.organiser, "station": station_name(session),
                 "person_times": session.person_times}
                for session in db.session.scalars(statement.limit(MAX_EXPORT_ROWS))]
        filters = [(_("形式"), label(kind) if kind else _("全部")),
                   (_("期间"), f"{date_from or '…'} — {date_to or '…'}")]
        return xlsx_list(_("警示教育活动"), COLUMNS, rows, _("警示教育活动"), filters=filters)
    total = db.session.scalar(statement.with_only_columns(func.coalesce(func.sum(TrainingSession.person_times), 0))
                              .order_by(None))
    return render_template("training/list.html", pager=paginate(statement), kind=kind, kinds=list(TrainingKind),
                           total=total, error=error, station_name=station_name,
                           date_from=date_from, date_to=date_to)


# -- the form -------------------------------------------------------------------------------------------

def acting_county() -> Region | None:
    """The county office's county; None for the administrator, who chooses one in the form."""
    return current_user.department.region if current_user.department is not None else None


def counties() -> list[Region]:
    return list(db.session.scalars(select(Region).where(Region.level == RegionLevel.county).order_by(Region.code)))


def townships(county: Region | None) -> list[Region]:
    statement = select(Region).where(Region.level == RegionLevel.township).order_by(Region.code)
    if county is not None:
        statement = statement.where(Region.parent_id == county.id)
    return list(db.session.scalars(statement))


def posted_region(name: str, level: RegionLevel, label_zh: str) -> Region | None:
    text = form_text(name, 12)
    if not text:
        return None
    region = db.session.get(Region, int(text)) if text.isdigit() else None
    if region is None or region.level != level:
        raise InvalidInput(f"请重新选择{label_zh}", f"Choose the {'county' if level == RegionLevel.county else 'township'} "
                           "again.", field=name)
    return region


def posted_facts() -> TrainingFacts:
    held_on = parse_day(form_text("held_on", 20), "held_on", "活动日期")
    if held_on is None:
        raise InvalidInput("请填写活动日期", "Give the date of the session.", field="held_on")
    kind = form_text("kind", 20)
    if kind not in TrainingKind.__members__:
        raise InvalidInput("请选择活动形式", "Choose the kind of session.", field="kind")
    count = form_text("person_times", 10)
    if not count.isdigit():
        raise InvalidInput(f"人次应为1至{PERSON_TIMES_MAX}之间的整数",
                           f"The person-times must be a whole number from 1 to {PERSON_TIMES_MAX}.", field="person_times")
    return TrainingFacts(held_on=held_on, kind=TrainingKind(kind), topic=form_text("topic", TOPIC_MAX + 50),
                         person_times=int(count), organiser=form_text("organiser", ORGANISER_MAX + 50),
                         township=posted_region("township", RegionLevel.township, "乡镇（街道）"))


def render_form(session: TrainingSession | None, error: str | None = None, status: int = 200):
    county = session.county if session else acting_county()
    return render_template("training/form.html", session=session, error=error, form=request.form,
                           kinds=list(TrainingKind), counties=counties() if county is None else [],
                           townships=townships(county), today=clock.today(), topic_max=TOPIC_MAX,
                           organiser_max=ORGANISER_MAX, person_times_max=PERSON_TIMES_MAX), status


@bp.route("/office/training/new", methods=["GET", "POST"])
@training_required
def training_new():
    if request.method == "GET":
        return render_form(None)
    try:
        county = acting_county() or posted_region("county", RegionLevel.county, "县（市、区）")
        if county is None:
            raise InvalidInput("请选择县（市、区）", "Choose a county.", field="county")
        record_training(current_user, county, posted_facts())
    except DomainError as error:
        db.session.rollback()
        return render_form(None, domain_message(error), 400)
    db.session.commit()
    flash(_("已登记警示教育活动，人次计入教育人次统计。"), "success")
    return redirect(url_for("web.training_sessions"))


@bp.route("/office/training/<int:session_id>/edit", methods=["GET", "POST"])
@training_required
def training_edit(session_id: int):
    session = db.session.get(TrainingSession, session_id)
    if session is None:
        abort(404)
    try:
        require_in_county(current_user, session.county_id)
    except DomainError:
        abort(403)
    if request.method == "GET":
        return render_form(session)
    try:
        update_training(current_user, session, posted_facts())
    except DomainError as error:
        db.session.rollback()
        return render_form(db.session.get(TrainingSession, session_id), domain_message(error), 400)
    db.session.commit()
    flash(_("警示教育活动已修改。"), "success")
    return redirect(url_for("web.training_sessions"))
