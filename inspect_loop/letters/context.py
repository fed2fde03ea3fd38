"""The data each letter template receives (the keys are documented in ``render.py``)."""

from inspect_loop import clock
from inspect_loop.cases.models import Case
from inspect_loop.inspections.models import KIND_LABELS, Finding, Inspection
from inspect_loop.interviews.models import Summons
from inspect_loop.letters.models import Document

SUMMONS_BRING = (
    "营业执照复印件及单位负责人身份证明",
    "隐患整改情况说明及整改前后照片",
    "本单位安全生产管理制度和责任书",
)


def finding_rows(findings: list[Finding]) -> list[dict]:
    return [{
        "hazard_title": finding.hazard_type.title,
        "category": finding.hazard_type.category,
        "description": finding.description,
        "severity": finding.severity.value,
        "found_on": finding.found_on,
        "deadline": finding.deadline,
    } for finding in findings]


def common(document: Document, verify_url: str, verify_code: str) -> dict:
    unit = document.unit
    return {
        "number": document.number,
        "issuer_name": document.issuer.name,
        "issued_on": document.issued_on,
        "unit": {"name": unit.name, "address": unit.address, "uscc": unit.uscc},
        "verify_url": verify_url,
        "verify_code": verify_code,
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


def case_history(case: Case) -> list[dict]:
    """The steps a case has been through, from its audit events, for 交办单 and 执法建议书."""
    from inspect_loop.cases.queries import history_lines  # cases read letters too: import late

    return history_lines(case)


def assignment(assignment_row) -> dict:
    return {
        "assignment": {"number": assignment_row.id, "deadline": assignment_row.deadline},
        "regulator": {"name": assignment_row.regulator.name},
        "territorial": {"name": assignment_row.territorial.name},
        "findings": finding_rows(assignment_row.findings),
        "case_history": case_history(assignment_row.case),
    }


def referral(case: Case, recipients: list[str]) -> dict:
    history = case_history(case)
    open_findings = [finding for finding in case.findings if finding.is_open]
    return {
        "history": history,
        "findings": finding_rows(open_findings),
        "recipients": recipients,
        "grounds": "该单位经检查提醒、复查警示（约谈）后，回访仍未按期整改到位，依据“一次提醒、二次警示、三次执法”"
                   "工作机制，建议依法开展联合执法。",
    }
