"""From the models to the response models. List builders load related rows for a whole page in a few
queries (never one query per row)."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import aliased, defer, joinedload, selectinload

from inspect_loop import clock
from inspect_loop.api import responses as out
from inspect_loop.assignments.models import Assignment, AssignmentFinding, AssignmentReceipt, RecipientRole
from inspect_loop.audit.models import Event
from inspect_loop.cases.history import start_sentence
from inspect_loop.cases.models import Case
from inspect_loop.cases.queries import risk_color_expression
from inspect_loop.db import db
from inspect_loop.enforcement.feedback import overdue_condition as feedback_overdue_condition
from inspect_loop.enforcement.models import EnforcementAction, ReferralFeedback
from inspect_loop.exposures.models import Exposure, ExposureItem
from inspect_loop.hazards.models import HazardType
from inspect_loop.inspections.models import Finding, FindingStatus, Inspection, InspectionPlan
from inspect_loop.interviews.models import InterviewRound, Summons, TrainingSession
from inspect_loop.labels import zh
from inspect_loop.letters.issuing import verify_url
from inspect_loop.letters.models import Document, DocumentService
from inspect_loop.regions.models import Department, Region
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, allowed
from inspect_loop.watch_list.models import WatchListEntry
from inspect_loop.watch_list.queries import add_months, clean_since, current_entries, on_watch_list


def local(moment: datetime | None) -> datetime | None:
    return clock.local_datetime(moment) if moment is not None else None


def _by(rows: Iterable, key) -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[key(row)].append(row)
    return grouped


def paginate(statement, query, build, item_model, options=()) -> out.Page:
    """One page of ``statement`` (ordered) and the total count, as ``Page[item_model]``; ``build`` turns the
    page's result into response items; loader ``options`` apply to the page query only."""
    total = db.session.scalar(statement.with_only_columns(func.count(), maintain_column_froms=True).order_by(None))
    result = db.session.execute(statement.options(*options).limit(query.per_page)
                                .offset((query.page - 1) * query.per_page))
    return out.Page[item_model](items=build(result), total=total, page=query.page, per_page=query.per_page)


def usernames(ids: Iterable[int]) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.username).where(User.id.in_(ids))).all())


# Catalogue -------------------------------------------------------------------------------------------------

def region_out(region: Region) -> out.RegionOut:
    return out.RegionOut(id=region.id, code=region.code, name=region.name, level=region.level,
                         parent_code=region.parent.code if region.parent else None)


def department_out(department: Department) -> out.DepartmentOut:
    return out.DepartmentOut(id=department.id, code=department.code, name=department.name, kind=department.kind,
                             region_code=department.region.code, sectors=department.sectors,
                             doc_prefix=department.doc_prefix, full_name=department.full_name,
                             address=department.address, contact_person=department.contact_person,
                             contact_phone=department.contact_phone, enforcement_powers=department.enforcement_powers)


def hazard_type_out(hazard: HazardType) -> out.HazardTypeOut:
    return out.HazardTypeOut(id=hazard.id, code=hazard.code, category=hazard.category, title=hazard.title,
                             sector=hazard.sector, severity=hazard.severity, rectify_days=hazard.rectify_days,
                             day_basis=hazard.day_basis, legal_basis=hazard.legal_basis)


# Units -----------------------------------------------------------------------------------------------------

def units_select():
    """Units with their region codes and risk colour (三色) computed by the database in the same query."""
    own, township, county = aliased(Region), aliased(Region), aliased(Region)
    return (select(Unit, risk_color_expression().label("risk_color"), own.code, township.code, county.code,
                   on_watch_list(Unit.id).label("on_watch_list"))
            .join(own, own.id == Unit.region_id).join(township, township.id == Unit.township_id)
            .join(county, county.id == Unit.county_id))


def unit_out(row, watch_list: out.WatchListOut | None = None) -> out.UnitOut:
    unit, risk_color, region_code, township_code, county_code, listed = row
    return out.UnitOut(id=unit.id, name=unit.name, uscc=unit.uscc, address=unit.address, region_code=region_code,
                       township_code=township_code, county_code=county_code, category=unit.category,
                       contact_name=unit.contact_name, contact_phone=unit.contact_phone, status=unit.status,
                       risk_color=risk_color, created_at=local(unit.created_at),
                       deregistered_on=unit.deregistered_on, deregistration_reason=unit.deregistration_reason,
                       on_watch_list=bool(listed), watch_list=watch_list)


def unit_by_id_out(unit_id: int) -> out.UnitOut:
    row = db.session.execute(units_select().where(Unit.id == unit_id)).one()
    return unit_out(row, watch_list_out(row[0], current_entries(unit_id)))


def watch_list_out(unit: Unit, entries: list[WatchListEntry]) -> out.WatchListOut | None:
    """The unit's place on the 重点监管名单 (None when it is not on it)."""
    if not entries:
        return None
    since = clean_since(unit.id, entries)
    months = unit.county.watch_list_clean_months
    return out.WatchListOut(
        since=min(entry.entered_on for entry in entries), clean_since=since, clean_months=months,
        may_leave_from=add_months(since, months),
        entries=[out.WatchListEntryOut(reason=entry.reason.value, reason_label=zh(entry.reason), case_id=entry.case_id,
                                       entered_on=entry.entered_on) for entry in entries])


# Findings, documents, cases --------------------------------------------------------------------------------

FINDING_LOADING = (selectinload(Case.findings).joinedload(Finding.hazard_type),
                   selectinload(Case.findings).selectinload(Finding.deadlines))


def finding_out(finding: Finding, today: date | None = None) -> out.FindingOut:
    today = today or clock.today()
    hazard = finding.hazard_type
    return out.FindingOut(
        id=finding.id, case_id=finding.case_id, unit_id=finding.unit_id, inspection_id=finding.inspection_id,
        hazard_code=hazard.code, hazard_title=hazard.title, category=hazard.category, sector=hazard.sector,
        description=finding.description, severity=finding.severity, found_on=finding.found_on,
        deadline=finding.deadline,
        deadlines=[out.DeadlineOut(deadline=row.deadline, set_at=local(row.set_at), assignment_id=row.assignment_id,
                                   extension_id=row.extension_id)
                   for row in finding.deadlines],
        status=finding.status, overdue=finding.status == FindingStatus.open and today > finding.deadline,
        first_reported_on=finding.first_reported_on, signed_off=finding.signed_off_at is not None,
        closed_on=finding.closed_on, close_kind=finding.close_kind)


def finding_brief(finding: Finding) -> out.FindingBrief:
    return out.FindingBrief(id=finding.id, hazard_code=finding.hazard_type.code,
                            hazard_title=finding.hazard_type.title, severity=finding.severity, status=finding.status)


def document_out(document: Document) -> out.DocumentOut:
    return out.DocumentOut(
        id=document.id, kind=document.kind, kind_label=zh(document.kind), number=document.number,
        version=document.version, status=document.status, unit_id=document.unit_id, case_id=document.case_id,
        issuer_code=document.issuer.code, issuer=document.issuer.name, issued_at=local(document.issued_at),
        sha256=document.sha256, size=document.size, verify_url=verify_url(document),
        supersedes_id=document.supersedes_id, revoked_at=local(document.revoked_at),
        revoke_reason=document.revoke_reason, needs_service=document.needs_service,
        service=service_out(document.service) if document.service else None)


def service_out(service: DocumentService) -> out.ServiceOut:
    return out.ServiceOut(
        id=service.id, document_id=service.document_id, method=service.method, method_label=zh(service.method),
        served_on=service.served_on, place=service.place, receiver=service.receiver, witness=service.witness,
        left_reason=service.left_reason, note=service.note, server=service.server.username,
        recorded_at=local(service.recorded_at), recorded_by=service.recorded_by.username,
        corrected_at=local(service.corrected_at), photo_ids=[photo.id for photo in service.photos])


# A document's service with its people and photos, for ``document_out``: one query each per list.
SERVICE_LOADING = selectinload(Document.service).options(
    joinedload(DocumentService.server), joinedload(DocumentService.recorded_by), selectinload(DocumentService.photos))


def documents_where(*conditions) -> list[Document]:
    # ``printed`` (JSON, for the verification page) is never part of the API's document.
    return list(db.session.scalars(select(Document).options(defer(Document.printed), joinedload(Document.issuer),
                                                            SERVICE_LOADING)
                                   .where(*conditions).order_by(Document.id)))


def latest_documents(column, ids: list[int]) -> dict[int, Document]:
    """The newest version of the document issued for each of ``ids`` (summonses or assignments)."""
    latest = {}
    for document in documents_where(column.in_(ids)) if ids else []:
        key = getattr(document, column.key)
        if key not in latest or document.version > latest[key].version:
            latest[key] = document
    return latest


def case_brief(case: Case) -> out.CaseBrief:
    return out.CaseBrief(id=case.id, unit_id=case.unit_id, stage=case.stage, status=case.status,
                         outcome=case.outcome)


def cases_out(cases: list[Case]) -> list[out.CaseOut]:
    """Full case JSON for a page of cases: two queries for all their documents and events."""
    ids = [case.id for case in cases]
    if not ids:
        return []
    today = clock.today()
    documents = _by(documents_where(Document.case_id.in_(ids)), lambda document: document.case_id)
    # The events as plain rows of the four fields shown: a page's hundreds of events as ORM objects (with
    # their JSON ``data``, never shown here) cost more than the rest of the page.
    events = _by(db.session.execute(select(Event.case_id, Event.at, Event.action, Event.reason, User.username)
                                    .outerjoin(User, User.id == Event.actor_id)
                                    .where(Event.case_id.in_(ids)).order_by(Event.id)), lambda event: event.case_id)
    feedback_rows = list(db.session.scalars(
        select(ReferralFeedback).where(ReferralFeedback.case_id.in_(ids))
        .options(joinedload(ReferralFeedback.department), joinedload(ReferralFeedback.referral))
        .order_by(ReferralFeedback.department_id)))
    feedback = _by(zip(feedback_rows, referral_feedback_outs(feedback_rows, today), strict=True),
                   lambda pair: pair[0].case_id)
    # The earlier cases the start explanations name, in one query: each case then finds its own in the session.
    earlier = {case.start_after_case_id for case in cases} - {None}
    if earlier:
        db.session.scalars(select(Case).where(Case.id.in_(earlier))).all()
    answers = []
    for case in cases:
        findings = [finding_out(finding, today) for finding in case.findings]
        answers.append(out.CaseOut(
            id=case.id, unit_id=case.unit_id, unit_name=case.unit.name, stage=case.stage, status=case.status,
            outcome=case.outcome, opened_at=local(case.opened_at), warning_at=local(case.warning_at),
            enforcement_at=local(case.enforcement_at), closed_at=local(case.closed_at),
            start_reason=case.start_reason, start_after_case_id=case.start_after_case_id,
            start_explanation=start_sentence(case),
            overdue=any(finding.overdue for finding in findings), findings=findings,
            documents=[document_out(document) for document in documents[case.id]],
            events=[out.EventOut(at=local(event.at), action=event.action, actor=event.username, reason=event.reason)
                    for event in events[case.id]],
            referral_feedback=[answer for _row, answer in feedback[case.id]]))
    return answers


def referral_feedback_outs(rows: list[ReferralFeedback], today: date) -> list[out.ReferralFeedbackOut]:
    """The feedback rows with who recorded them and whether they are overdue: two queries for all the rows
    (one per row would multiply on a page of cases)."""
    maybe_overdue = [row.id for row in rows if not row.is_recorded and row.due_on < today]
    overdue = set(db.session.scalars(select(ReferralFeedback.id).where(
        ReferralFeedback.id.in_(maybe_overdue), feedback_overdue_condition(today)))) if maybe_overdue else set()
    names = usernames(row.recorded_by_id for row in rows if row.recorded_by_id)
    return [out.ReferralFeedbackOut(
        referral_number=row.referral.number, department_code=row.department.code,
        department_name=row.department.name, due_on=row.due_on, overdue=row.id in overdue,
        recorded=row.is_recorded, action_taken=row.action_taken, done_on=row.done_on,
        reply_number=row.reply_number, recorded_by=names.get(row.recorded_by_id), recorded_at=local(row.recorded_at))
        for row in rows]


def referral_feedback_out(row: ReferralFeedback, today: date) -> out.ReferralFeedbackOut:
    return referral_feedback_outs([row], today)[0]


def case_out(case: Case) -> out.CaseOut:
    return cases_out([case])[0]


# Inspections and plans -------------------------------------------------------------------------------------

def inspection_out(inspection: Inspection) -> out.InspectionOut:
    case = db.session.get(Case, inspection.case_id) if inspection.case_id else None
    today = clock.today()
    return out.InspectionOut(
        id=inspection.id, unit_id=inspection.unit_id, case_id=inspection.case_id, kind=inspection.kind,
        inspected_at=local(inspection.inspected_at), notes=inspection.notes, latitude=inspection.latitude,
        longitude=inspection.longitude, recorded_by=inspection.recorded_by.username,
        team=[member.username for member in inspection.team],
        findings=[finding_out(finding, today) for finding in inspection.findings],
        verified=[out.VerifiedOut(finding_id=row.finding_id, rectified=row.rectified)
                  for row in inspection.verifications],
        case=case_brief(case) if case else None,
        documents=[document_out(document) for document in documents_where(Document.inspection_id == inspection.id)])


def plan_out(plan: InspectionPlan) -> out.PlanOut:
    return out.PlanOut(id=plan.id, unit_id=plan.unit_id, unit_name=plan.unit.name, planned_on=plan.planned_on,
                       kind=plan.kind, status=plan.status, notes=plan.notes,
                       team=[member.username for member in plan.team], inspection_id=plan.inspection_id,
                       created_at=local(plan.created_at))


# Interview rounds ------------------------------------------------------------------------------------------

def round_out(interview_round: InterviewRound, summonses: list[Summons]) -> out.RoundOut:
    """The round with the summonses the reader may see (``summonses`` is already scoped)."""
    documents = latest_documents(Document.summons_id, [summons.id for summons in summonses])
    return out.RoundOut(
        id=interview_round.id, number=interview_round.number, year=interview_round.year,
        convened_by=interview_round.convened_by.code, convened_by_name=interview_round.convened_by.name,
        held_at=local(interview_round.held_at), held_on=interview_round.held_on, venue=interview_round.venue,
        venue_address=interview_round.venue_address, participants=interview_round.participants,
        departments=[department.code for department in interview_round.departments],
        summonses=[summons_out(summons, documents.get(summons.id)) for summons in summonses])


def summons_out(summons: Summons, document: Document | None) -> out.SummonsOut:
    return out.SummonsOut(id=summons.id, round_id=summons.round_id, case_id=summons.case_id,
                          unit_id=summons.unit_id, unit_name=summons.unit.name, attended=summons.attended,
                          attendee_name=summons.attendee_name, attendee_title=summons.attendee_title,
                          note=summons.note, recorded_at=local(summons.recorded_at), minutes=summons.minutes,
                          minutes_recorded_at=local(summons.minutes_recorded_at),
                          commitment_photo_ids=[page.id for page in summons.commitment_pages],
                          document=document_out(document) if document else None)


def training_out(session: TrainingSession) -> out.TrainingOut:
    return out.TrainingOut(id=session.id, county_code=session.county.code,
                           township_code=session.township.code if session.township else None,
                           held_on=session.held_on, kind=session.kind, topic=session.topic,
                           organiser=session.organiser, person_times=session.person_times,
                           created_at=local(session.created_at), updated_at=local(session.updated_at))


# Assignments -----------------------------------------------------------------------------------------------

def assignment_status_expression(department_id: int | None):
    """pending / received / completed of a 交办单, from one recipient's point of view, in SQL.

    The regulator's part is done when every finding is signed off (or no longer open); the territorial
    office's part when every finding is closed out (or no longer open). Without a department: done when no
    finding is open, received when both recipients have signed for it.
    """
    def open_finding(*conditions):
        return exists().where(AssignmentFinding.assignment_id == Assignment.id,
                              Finding.id == AssignmentFinding.finding_id, Finding.status == FindingStatus.open,
                              *conditions)

    def received_by(*conditions):
        return exists().where(AssignmentReceipt.assignment_id == Assignment.id, *conditions)

    if department_id is None:
        done = ~open_finding()
        received = and_(received_by(AssignmentReceipt.role == RecipientRole.regulator),
                        received_by(AssignmentReceipt.role == RecipientRole.territorial))
    else:
        done = or_(and_(Assignment.regulator_id == department_id, ~open_finding(Finding.signed_off_at.is_(None))),
                   and_(Assignment.regulator_id != department_id, ~open_finding()))
        received = received_by(AssignmentReceipt.department_id == department_id)
    return sql_case((done, "completed"), (received, "received"), else_="pending")


ASSIGNMENT_LOADING = (joinedload(Assignment.regulator), joinedload(Assignment.territorial),
                      joinedload(Assignment.case).joinedload(Case.unit), selectinload(Assignment.findings),
                      selectinload(Assignment.receipts))


def assignments_out(rows: list[tuple[Assignment, str]]) -> list[out.AssignmentOut]:
    """``rows`` are (assignment, status) pairs from a query with ``assignment_status_expression``."""
    documents = latest_documents(Document.assignment_id, [assignment.id for assignment, _ in rows])
    names = usernames(receipt.received_by_id for assignment, _ in rows for receipt in assignment.receipts)
    answers = []
    for assignment, status in rows:
        codes = {assignment.regulator_id: assignment.regulator.code,
                 assignment.territorial_id: assignment.territorial.code}
        document = documents.get(assignment.id)
        answers.append(out.AssignmentOut(
            id=assignment.id, case_id=assignment.case_id, unit_id=assignment.case.unit_id,
            unit_name=assignment.case.unit.name, regulator_code=assignment.regulator.code,
            territorial_code=assignment.territorial.code, deadline=assignment.deadline,
            issued_at=local(assignment.issued_at), finding_ids=[finding.id for finding in assignment.findings],
            receipts=[out.ReceiptOut(department_code=codes[receipt.department_id], role=receipt.role,
                                     received_at=local(receipt.received_at),
                                     received_by=names[receipt.received_by_id])
                      for receipt in assignment.receipts],
            status=status, document=document_out(document) if document else None))
    return answers


def assignment_out(assignment: Assignment, department_id: int | None) -> out.AssignmentOut:
    status = db.session.scalar(select(assignment_status_expression(department_id))
                               .where(Assignment.id == assignment.id))
    return assignments_out([(assignment, status)])[0]


# Enforcement, exposures, users -----------------------------------------------------------------------------

def enforcement_out(action: EnforcementAction, case: Case) -> out.EnforcementOut:
    return out.EnforcementOut(id=action.id, case_id=action.case_id, unit_id=action.unit_id, action=action.action,
                              decided_at=local(action.decided_at), decided_on=action.decided_on,
                              decision_no=action.decision_no, amount=action.amount, note=action.note,
                              departments=[department.code for department in action.departments],
                              unit_status=case.unit.status, case=case_brief(case))


EXPOSURE_LOADING = (selectinload(Exposure.items).joinedload(ExposureItem.unit),
                    selectinload(Exposure.items).selectinload(ExposureItem.findings).joinedload(Finding.hazard_type))


def exposure_out(exposure: Exposure) -> out.ExposureOut:
    return out.ExposureOut(
        id=exposure.id, title=exposure.title, status=exposure.status, created_at=local(exposure.created_at),
        created_by_id=exposure.created_by_id, submitted_at=local(exposure.submitted_at),
        submitted_by_id=exposure.submitted_by_id, approved_by_id=exposure.approved_by_id,
        return_reason=exposure.return_reason, published_at=local(exposure.published_at), published_on=exposure.published_on,
        expires_on=exposure.expires_on,
        items=[out.ExposureItemOut(unit_id=item.unit_id, unit_name=item.unit.name,
                                   findings=[finding_brief(finding) for finding in item.findings])
               for item in exposure.items])


def me_out(user: User) -> out.MeOut:
    return out.MeOut(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
                     role_label=zh(user.role),
                     department=department_out(user.department) if user.department else None,
                     permissions=[action for action in Action if allowed(user, action)])
