"""The data each letter template receives (the keys are documented in ``render.py``).

Only plain values go to the templates — names, dates, numbers — never contact names or phone numbers: a
notice is handed to the unit and its verification page is public.
"""

from sqlalchemy import select

from inspect_loop import clock
from inspect_loop.audit.models import Event
from inspect_loop.cases.ladder import TRANSITIONS
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.inspections.models import KIND_LABELS, Finding, Inspection, InspectionKind
from inspect_loop.interviews.models import Summons
from inspect_loop.letters.models import DOCUMENT_KIND_LABELS, Document, DocumentKind, DocumentStatus

SUMMONS_BRING = (
    "营业执照复印件及单位负责人身份证明",
    "隐患整改情况说明及整改前后照片",
    "本单位安全生产管理制度和责任书",
)

REFERRAL_GROUNDS = ("该单位经检查提醒、警示约谈后，回访时仍未按期整改到位。依据“一次提醒、二次警示、三次执法”"
                    "工作机制，建议依法开展联合执法，视情采取责令停业整顿、关停、取缔等措施。")
ESCALATION_GROUNDS = ("鉴于上述情况，依据“一次提醒、二次警示、三次执法”工作机制，本办决定对该单位提级处置，建议依法"
                      "开展联合执法，视情采取责令停业整顿、关停、取缔等措施。")


def finding_rows(findings: list[Finding]) -> list[dict]:
    return [{
        "hazard_title": finding.hazard_type.title,
        "category": finding.hazard_type.category,
        "description": finding.description,
        "severity": finding.severity.value,
        "found_on": finding.found_on,
        "deadline": finding.deadline,
    } for finding in findings]


def common(document: Document, verify_url: str, verify_code: str, verify_lookup_url: str) -> dict:
    unit = document.unit
    return {
        "number": document.number,
        "issuer_name": document.issuer.name,
        "issued_on": document.issued_on,
        "unit": {"name": unit.name, "address": unit.address, "uscc": unit.uscc},
        "verify_url": verify_url,
        "verify_code": verify_code,
        "verify_lookup_url": verify_lookup_url,
    }


def reminder(inspection: Inspection, findings: list[Finding]) -> dict:
    return {
        "findings": finding_rows(findings),
        "inspection": {"kind_label": KIND_LABELS[inspection.kind], "inspected_on": inspection.inspected_on},
    }


def summons(summons_row: Summons) -> dict:
    interview_round = summons_row.round
    open_findings = [finding for finding in summons_row.case.findings if finding.is_open]
    return {
        "round": {
            "number": interview_round.number,
            "held_at": clock.local_datetime(interview_round.held_at),
            "venue": interview_round.venue,
            "convener_name": interview_round.convened_by.name,
            "departments": [department.name for department in interview_round.departments],
        },
        "findings": finding_rows(open_findings),
        "bring": list(SUMMONS_BRING),
        "contact_office": interview_round.convened_by.name,
    }


def _inspection_text(data: dict) -> str | None:
    kind = InspectionKind(data["kind"])
    found = len(data.get("findings") or [])
    unrectified = sum(1 for rectified in (data.get("verified") or {}).values() if not rectified)
    if kind in (InspectionKind.reinspection, InspectionKind.follow_up):
        text = f"{KIND_LABELS[kind]}，{unrectified}项隐患未整改到位" if unrectified else f"{KIND_LABELS[kind]}"
        return text + (f"，另发现新隐患{found}项" if found else "")
    return f"{KIND_LABELS[kind]}检查发现隐患{found}项" if found else None


# Within a day the lines read in the order things happen: the inspection, the stage it caused, the notice.
HISTORY_ORDER = {"inspection": 0, "case": 1, "document": 2, "summons": 3, "enforcement": 4}


def _history_text(event: Event, revoked: set[int]) -> str | None:
    data = event.data or {}
    if event.action == "inspection.recorded":
        return _inspection_text(data)
    if event.action.startswith("case.") and event.action != "case.open":
        transition = TRANSITIONS.get(event.action.removeprefix("case."))
        return transition.label if transition else None
    if event.action in ("document.issued", "document.reissued") and event.subject_id not in revoked:
        verb = "签发" if event.action == "document.issued" else "重新签发"
        return f"{verb}《{DOCUMENT_KIND_LABELS[DocumentKind(data['kind'])]}》（{data['number']}）"
    return {"summons.attended": "参加警示约谈", "summons.absent": "未参加警示约谈",
            "enforcement.recorded": "实施执法"}.get(event.action)


def case_history(case: Case) -> list[dict]:
    """What a 交办单 or 执法建议书 recounts: the case's inspections, its stage changes, the notices issued
    (by number, leaving out revoked ones) and the interviews — one line each, oldest first."""
    events = db.session.scalars(select(Event).where(Event.case_id == case.id).order_by(Event.id))
    revoked = set(db.session.scalars(select(Document.id).where(
        Document.case_id == case.id, Document.status == DocumentStatus.revoked)))
    lines = []
    for event in events:
        text = _history_text(event, revoked)
        if text:
            lines.append((clock.local_date(event.at), HISTORY_ORDER.get(event.action.split(".")[0], 9), event.id,
                          text))
    return [{"on": on, "text": text} for on, _, _, text in sorted(lines)]


def assignment(assignment_row) -> dict:
    return {
        "assignment": {"deadline": assignment_row.deadline},
        "regulator": {"name": assignment_row.regulator.name},
        "territorial": {"name": assignment_row.territorial.name},
        "findings": finding_rows(assignment_row.findings),
        "case_history": case_history(assignment_row.case),
    }


def escalation_reason(case: Case) -> str | None:
    """The reason the office gave when it moved the case to 三次执法 by hand (absent from the interview, a
    major hazard …); None when a failed follow-up moved it."""
    entered = db.session.scalar(select(Event).where(
        Event.case_id == case.id, Event.action.in_(["case.fail_follow_up", "case.escalate_to_enforcement"]))
        .order_by(Event.id.desc()).limit(1))
    return entered.reason if entered is not None and entered.action == "case.escalate_to_enforcement" else None


def referral(case: Case, recipients: list[str]) -> dict:
    open_findings = [finding for finding in case.findings if finding.is_open]
    reason = escalation_reason(case)
    return {
        "history": case_history(case),
        "findings": finding_rows(open_findings),
        "recipients": recipients,
        "escalation_reason": reason,
        "grounds": ESCALATION_GROUNDS if reason else REFERRAL_GROUNDS,
    }
