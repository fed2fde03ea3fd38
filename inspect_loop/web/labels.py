"""What users read for each stored value, in the page's language: the labels of ``inspect_loop.labels``
(the one catalogue, in Chinese) translated on display, and what an audit event adds to its sentence."""

import enum

from flask_babel import lazy_gettext as _l

from inspect_loop.enforcement.models import ActionKind
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.labels import EVENT_LABELS, zh
from inspect_loop.letters.models import DocumentKind, ServiceMethod
from inspect_loop.web.i18n import page_gettext

# The three risk colours, and the closed places' grey, in words (a colour is never shown without its word).
RISK_WORDS = {"red": _l("红 · 高风险"), "yellow": _l("黄 · 中风险"), "green": _l("绿 · 低风险"),
              "closed": _l("灰 · 已关停/取缔/注销")}


def label(member) -> str:
    """The translated label of an enum member (its value when it has none); from the request's catalogue,
    looked up once per request (lists call this for every row)."""
    text = zh(member)
    return page_gettext(text) if isinstance(member, enum.Enum) and text else text


def event_label(action: str) -> str:
    return page_gettext(EVENT_LABELS[action]) if action in EVENT_LABELS else action


def _enum_label(enum_class: type[enum.Enum], value) -> str:
    try:
        return label(enum_class(value))
    except ValueError:
        return str(value)


def event_detail(event) -> str:
    """What an event adds to its sentence on a timeline: the document number, the inspection's kind and
    result, the enforcement decision (reasons are shown separately)."""
    data = event.data or {}
    if event.action in ("document.issued", "document.reissued"):
        text = f"{_enum_label(DocumentKind, data.get('kind'))} {data.get('number', '')}"
        version = data.get("version") or 1
        return f"{text} {_l('第%(v)s版', v=version)}" if version > 1 else text
    if event.action == "document.served":
        return " ".join((data.get("number", ""), _enum_label(ServiceMethod, data.get("method")),
                         data.get("served_on", "")))
    if event.action == "document.service_corrected":
        return data.get("number", "")
    if event.action == "inspection.recorded":
        parts = [_enum_label(InspectionKind, data.get("kind"))]
        if data.get("findings"):
            parts.append(str(_l("发现%(n)s个问题", n=len(data["findings"]))))
        verified = data.get("verified") or {}
        if verified:
            failed = sum(1 for rectified in verified.values() if not rectified)
            parts.append(str(_l("核验%(n)s个问题，%(failed)s个未整改", n=len(verified), failed=failed)))
        return str(_l("，")).join(parts)
    if event.action == "enforcement.recorded":
        parts = (_enum_label(ActionKind, data.get("kind")), data.get("decision_no"))
        return " ".join(part for part in parts if part)
    if event.action == "assignment.issued" and data.get("deadline"):
        return str(_l("整改期限 %(day)s", day=data["deadline"]))
    if event.action == "assignment.guidance":
        return data.get("note", "")
    if data.get("finding_id"):
        return str(_l("问题 #%(id)s", id=data["finding_id"]))
    return ""


def options(enum_class: type[enum.Enum]) -> list[tuple[str, str]]:
    """(value, label) pairs for a <select>."""
    return [(member.value, label(member)) for member in enum_class]
