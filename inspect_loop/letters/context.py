"""The data each letter template receives (the keys are documented in ``render.py``).

Only plain values go to the templates — names, dates, numbers. The offices' own contacts are printed: the
issuing department's contact person and phone (the 附注, so the unit knows whom to call), the address and
phone of the township office that takes the rectification report, the venue's address. The unit's own
people never are — no contact of the unit, no inspector, no attendee: a notice is handed to the unit and its
verification page is public. The history a 交办单 or 执法建议书 recounts
is read from the case's own records (inspections, notices, interviews, enforcement, the reasons kept on the
case), not from the audit log.
"""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from inspect_loop import clock
from inspect_loop.cases.models import Case, Outcome, StartReason
from inspect_loop.db import db
from inspect_loop.enforcement.models import EnforcementAction
from inspect_loop.inspections.models import Finding, Inspection, InspectionKind
from inspect_loop.interviews.models import Summons
from inspect_loop.labels import EVENT_LABELS, zh
from inspect_loop.letters.models import SERVED_KINDS, Document, DocumentKind, DocumentStatus
from inspect_loop.letters.render import clause
from inspect_loop.regions.lookup import safety_office_of
from inspect_loop.regions.models import Department

SUMMONS_BRING = (
    "营业执照复印件及单位负责人身份证明",
    "隐患整改情况说明及整改前后照片",
    "本单位安全生产管理制度和责任书",
)

REFERRAL_GROUNDS = ("该单位经检查提醒、警示约谈后，回访时仍未按期整改到位。依据“一次提醒、二次警示、三次执法”"
                    "工作机制，建议依法开展联合执法，视情采取责令停业整顿、关停、取缔等措施。")
ESCALATION_GROUNDS = ("鉴于上述情况，依据“一次提醒、二次警示、三次执法”工作机制，本办决定对该单位提级处置，建议依法"
                      "开展联合执法，视情采取责令停业整顿、关停、取缔等措施。")

ILLEGAL_OPERATION_GROUNDS = ("该单位被关停或取缔后仍在经营，属非法经营。依据“一次提醒、二次警示、三次执法”工作机制，建议依法"
                             "开展联合执法，予以查处取缔。")
# What a unit found operating had become, as the 执法建议书 says it (cases/history.py, StartReason).
CLOSED_BY = {Outcome.banned: "取缔", Outcome.shut_down: "关停"}


def finding_rows(findings: list[Finding]) -> list[dict]:
    return [{
        "finding_id": finding.id,  # kept with the printed facts (letters/printed.py), never printed
        "hazard_title": finding.hazard_type.title,
        "category": finding.hazard_type.category,
        "description": finding.description,
        "severity": finding.severity.value,
        "found_on": finding.found_on,
        "deadline": finding.deadline,
        "legal_basis": finding.hazard_type.legal_basis,
        # Printed beside the deadline (原期限/现期限) by the notices that change it: 交办单, 准予延期整改通知书.
        "original_deadline": None,
    } for finding in findings]


def contact(department: Department) -> dict | None:
    """Whom a reader of the department's notices calls: its contact person and phone, or None without both."""
    if not (department.contact_person or department.contact_phone):
        return None
    return {"person": department.contact_person, "phone": department.contact_phone}


def office(department: Department | None) -> dict | None:
    """An office a notice sends the unit to: its full name, address and phone."""
    if department is None:
        return None
    return {"name": department.issuer_name, "address": department.address, "phone": department.contact_phone}


def common(document: Document, verify_url: str, verify_code: str, verify_lookup_url: str) -> dict:
    unit = document.unit
    issuer = document.issuer
    return {
        "number": document.number,
        "issuer_name": issuer.name,
        "issuer_full_name": issuer.issuer_name,
        # Whether the issuer may order (stop using a facility …) or only remind and request: docs/letters.md,
        # Wordings and their sources.
        "issuer_has_powers": issuer.enforcement_powers,
        "contact": contact(issuer),
        # 抄送 of the 版记: office names.
        "copy_to": [],
        "issued_on": document.issued_on,
        "unit": {"name": unit.name, "address": unit.address, "uscc": unit.uscc},
        "verify_url": verify_url,
        "verify_code": verify_code,
        "verify_lookup_url": verify_lookup_url,
        # A 送达回证 on its own last page, for the notices served on their addressee (``letters/service_receipt.html``).
        "service_receipt": document.kind in SERVED_KINDS,
    }


def reminder(inspection: Inspection, findings: list[Finding]) -> dict:
    return {
        "findings": finding_rows(findings),
        "inspection": {"kind_label": zh(inspection.kind), "inspected_on": inspection.inspected_on},
        # The unit's territorial office takes its rectification report (and closes its findings out later).
        "report_office": office(safety_office_of(inspection.unit.township_id)),
    }


def summons(summons_row: Summons) -> dict:
    interview_round = summons_row.round
    open_findings = [finding for finding in summons_row.case.findings if finding.is_open]
    return {
        "round": {
            "number": interview_round.number,
            "held_at": clock.local_datetime(interview_round.held_at),
            "venue": interview_round.venue,
            "venue_address": interview_round.venue_address,
            "convener_name": interview_round.convened_by.issuer_name,
            "departments": [department.name for department in interview_round.departments],
        },
        "findings": finding_rows(open_findings),
        "bring": list(SUMMONS_BRING),
        "contact_office": interview_round.convened_by.issuer_name,
    }


def _inspection_text(inspection: Inspection) -> str | None:
    kind = zh(inspection.kind)
    found = len(inspection.findings)
    unrectified = sum(1 for verification in inspection.verifications if not verification.rectified)
    if inspection.kind in (InspectionKind.reinspection, InspectionKind.follow_up):
        text = f"{kind}，{unrectified}项隐患未整改到位" if unrectified else kind
        return text + (f"，另发现新隐患{found}项" if found else "")
    return f"{kind}检查发现隐患{found}项" if found else None


# The title each kind of notice prints, as the history names it: 《安全隐患整改交办单》, not the short label.
DOCUMENT_TITLES = {
    DocumentKind.reminder: "整改提醒通知书",
    DocumentKind.summons: "警示约谈通知书",
    DocumentKind.assignment: "安全隐患整改交办单",
    DocumentKind.referral: "执法建议书",
}


def _stage_text(transition: str, reason: str | None) -> str:
    """How the case came to a stage: the failed visit's own words, or the office's decision and its reason —
    an official's wording, never the system's ("手动升级")."""
    if reason:
        stage = "二次警示" if transition == "escalate_to_warning" else "三次执法"
        return f"经研究决定提级处理，进入{stage}（理由：{clause(reason)}）"
    return EVENT_LABELS[f"case.{transition}"]


# Lines are sorted by the moment each thing happened (the interview by the round's time, never the moment its
# attendance was typed in); only things of one and the same moment — a visit, the stage it caused and the
# notice that stage issued share one transaction's timestamp — fall back on this order of cause and effect.
INSPECTION, STAGE, DOCUMENT, INTERVIEW, ENFORCEMENT = range(5)


def case_history(case: Case) -> list[dict]:
    """What a 交办单 or 执法建议书 recounts, one line each in time order: the case's inspections, how it came to
    二次警示 and 三次执法, the notices issued (by number, leaving out revoked ones and the one being issued), the
    interviews on the day they were held, and the enforcement decided."""
    lines = []
    inspections = db.session.scalars(
        select(Inspection).where(Inspection.case_id == case.id)
        .options(selectinload(Inspection.findings), selectinload(Inspection.verifications)))
    for inspection in inspections:
        if text := _inspection_text(inspection):
            lines.append((inspection.inspected_at, INSPECTION, inspection.id, text))
    if case.warning_at is not None:
        transition = ("open_at_warning" if case.start_reason == StartReason.recurrence
                      else "escalate_to_warning" if case.warning_reason else "fail_reinspection")
        lines.append((case.warning_at, STAGE, 0, _stage_text(transition, case.warning_reason)))
    if case.enforcement_at is not None:
        transition = ("open_at_enforcement" if case.start_reason == StartReason.closed_unit_operating
                      else "escalate_to_enforcement" if case.enforcement_reason else "fail_follow_up")
        lines.append((case.enforcement_at, STAGE, 1, _stage_text(transition, case.enforcement_reason)))
    documents = db.session.scalars(select(Document).where(
        Document.case_id == case.id, Document.status != DocumentStatus.revoked, Document.sha256 != ""))
    for document in documents:
        verb = "签发" if document.version == 1 else "重新签发"
        title = DOCUMENT_TITLES.get(document.kind) or zh(document.kind)
        lines.append((document.issued_at, DOCUMENT, document.id, f"{verb}《{title}》（{document.number}）"))
    summonses = db.session.scalars(select(Summons).where(Summons.case_id == case.id, Summons.attended.is_not(None))
                                   .options(selectinload(Summons.round)))
    for summons in summonses:
        text = "参加警示约谈" if summons.attended else "未参加警示约谈"
        lines.append((summons.round.held_at, INTERVIEW, summons.id, text))
    for action in db.session.scalars(select(EnforcementAction).where(EnforcementAction.case_id == case.id)):
        lines.append((action.decided_at, ENFORCEMENT, action.id, f"实施执法（{zh(action.action)}）"))
    return [{"on": clock.local_date(moment), "text": text} for moment, _, _, text in sorted(lines)]


def _deadlines_around(finding: Finding, assignment_id: int) -> dict:
    """原期限 / 现期限 of a finding on a 交办单: the deadline it had before the 交办单 and the one the 交办单
    left it (``assignments.operations.deadline_under_assignment``), from its deadline history."""
    history = finding.deadlines
    for index, row in enumerate(history):
        if row.assignment_id == assignment_id:
            return {"original_deadline": history[index - 1].deadline if index else row.deadline,
                    "deadline": row.deadline}
    return {}


def assignment(assignment_row) -> dict:
    findings = [row | _deadlines_around(finding, assignment_row.id)
                for row, finding in zip(finding_rows(assignment_row.findings), assignment_row.findings, strict=True)]
    return {
        "assignment": {"deadline": assignment_row.deadline},
        "regulator": {"name": assignment_row.regulator.name},
        "territorial": {"name": assignment_row.territorial.name},
        "findings": findings,
        "case_history": case_history(assignment_row.case),
    }


def referral(case: Case, recipients: list[str], feedback_due_on: date) -> dict:
    open_findings = [finding for finding in case.findings if finding.is_open]
    reason = case.enforcement_reason
    operating_while_closed = None
    if case.start_reason == StartReason.closed_unit_operating:
        earlier = case.start_after_case
        operating_while_closed = CLOSED_BY.get(earlier.outcome if earlier is not None else None, "关停或取缔")
    return {
        "history": case_history(case),
        "findings": finding_rows(open_findings),
        "recipients": recipients,
        "escalation_reason": reason,
        "operating_while_closed": operating_while_closed,
        "grounds": (ILLEGAL_OPERATION_GROUNDS if operating_while_closed
                    else ESCALATION_GROUNDS if reason else REFERRAL_GROUNDS),
        "feedback_due_on": feedback_due_on,
    }


def extension(request) -> dict:
    """准予延期整改通知书: the findings with the deadline the approval replaced and the one it granted."""
    findings = [row | {"original_deadline": item.previous_deadline, "deadline": request.granted_deadline}
                for row, item in zip(finding_rows(request.findings), request.items, strict=True)]
    assignment_number = None
    if request.assignment_id is not None:
        assignment_number = db.session.scalar(
            select(Document.number).where(Document.assignment_id == request.assignment_id,
                                          Document.status == DocumentStatus.valid).order_by(Document.id.desc()))
    return {
        "extension": {"requested_on": request.requested_on, "reason": request.reason,
                      "granted_deadline": request.granted_deadline, "decision_reason": request.decision_reason,
                      "assignment_number": assignment_number},
        "findings": findings,
        # The township office that carried the request and takes the report (as on the reminder).
        "report_office": office(safety_office_of(request.unit.township_id)),
    }
