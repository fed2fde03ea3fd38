"""What a notice printed, kept with it at issue: its title, each finding (hazard, category, 重大隐患 or not,
deadline), the deadlines, a summons' appointment. The verification page compares these with the paper in
the reader's hand; the matter itself moves on (a 交办单 or an extension changes a finding's deadline, a
finding is closed out), so they cannot be read from today's rows.

The facts are taken from the very data the template rendered (``printed_facts``) and stored as JSON in
``Document.printed``; the title from the template's own heading (``render.printed_title``).
"""

from dataclasses import dataclass
from datetime import date, datetime

from inspect_loop import clock
from inspect_loop.letters.models import DocumentKind
from inspect_loop.letters.render import printed_title


@dataclass(frozen=True)
class PrintedFinding:
    finding_id: int | None  # to show the finding's state today beside what was printed; never printed itself
    hazard_title: str
    category: str
    major: bool
    deadline: date


@dataclass(frozen=True)
class Appointment:
    """A summons' 约谈时间 and 约谈地点."""

    held_at: datetime  # naive UTC, as every timestamp is kept
    venue: str


@dataclass(frozen=True)
class Printed:
    title: str
    findings: list[PrintedFinding]
    deadlines: list[date]
    appointment: Appointment | None
    # False when the document was issued before its printed facts were kept: they were rebuilt from the
    # matter's rows as they stand today and may differ from the paper.
    recorded: bool = True


def printed_facts(kind: DocumentKind, data: dict) -> dict:
    """The JSON kept in ``Document.printed``, from the template data the notice is rendered with."""
    rows = data.get("findings", [])
    deadlines = {row["deadline"] for row in rows}
    if "assignment" in data:
        deadlines.add(data["assignment"]["deadline"])
    facts = {
        "title": printed_title(kind.value),
        "findings": [{"finding_id": row.get("finding_id"), "hazard_title": row["hazard_title"],
                      "category": row["category"], "severity": row["severity"],
                      "deadline": row["deadline"].isoformat()} for row in rows],
        "deadlines": [day.isoformat() for day in sorted(deadlines)],
    }
    if "round" in data:
        facts["appointment"] = {"held_at": data["round"]["held_at"].isoformat(), "venue": data["round"]["venue"]}
    return facts


def read_printed(facts: dict, *, recorded: bool = True) -> Printed:
    appointment = facts.get("appointment")
    return Printed(
        title=facts["title"],
        findings=[PrintedFinding(finding_id=row.get("finding_id"), hazard_title=row["hazard_title"],
                                 category=row["category"], major=row["severity"] == "major",
                                 deadline=date.fromisoformat(row["deadline"])) for row in facts["findings"]],
        deadlines=[date.fromisoformat(day) for day in facts["deadlines"]],
        appointment=Appointment(held_at=clock.to_utc(datetime.fromisoformat(appointment["held_at"])),
                                venue=appointment["venue"]) if appointment else None,
        recorded=recorded)
