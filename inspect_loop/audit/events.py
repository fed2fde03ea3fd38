"""The typed domain events: one schema per kind of audit event.

An operation describes what it changed as one of these and hands it to ``audit.log.record_event``, which
appends it to the log (``Event``: the kind as ``action``, the schema's own fields as ``data``) and passes it
to the subscribers of its type — the notices of ``letters/notices.py`` are issued that way, so that no domain
module needs to know about letters. ``parse`` reads a logged event back into its schema; the generator
writes the same rows through ``row_values``.

``case_id``, ``unit_id`` and ``reason`` are columns of the log, common to every kind; each schema adds the
fields of its kind. The kinds' sentences are in ``inspect_loop.labels.EVENT_LABELS``.
"""

import dataclasses
import enum
import typing
from datetime import date, datetime
from typing import ClassVar

from inspect_loop.cases.models import Outcome, Stage, StartReason
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.letters.models import DocumentKind, ServiceMethod
from inspect_loop.watch_list.models import WatchReason

COMMON = ("case_id", "unit_id", "reason")


@dataclasses.dataclass(frozen=True, kw_only=True)
class DomainEvent:
    ACTION: ClassVar[str] = ""

    case_id: int | None = None
    unit_id: int | None = None
    reason: str | None = None

    @property
    def action(self) -> str:
        return self.ACTION

    def data(self) -> dict:
        """The kind's own fields as JSON values (enums by value, dates in ISO form)."""
        return {field.name: _plain(getattr(self, field.name)) for field in dataclasses.fields(self)
                if field.name not in COMMON and field.init and field.name != "transition"}


KINDS: dict[str, type[DomainEvent]] = {}


def kind(action: str):
    """Register a schema for the audit kind ``action``."""
    def register(schema: type[DomainEvent]) -> type[DomainEvent]:
        schema.ACTION = action
        KINDS[action] = schema
        return schema
    return register


def _plain(value):
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


# -- cases (the ladder's transitions: cases/ladder.py) --------------------------------------------------------

@kind("case.open")
@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseOpened(DomainEvent):
    """A case opened by one of the ladder's opening transitions: ``case.open`` at 一次提醒, ``case.open_at_warning``
    or ``case.open_at_enforcement`` where the unit's history counts (cases/history.py); ``reason`` says why in
    Chinese, ``start_reason`` and the earlier case (and its interview) are what the rule found."""

    transition: str = "open"
    to_stage: Stage
    start_reason: StartReason | None = None
    after_case_id: int | None = None
    interviewed_on: date | None = None

    @property
    def action(self) -> str:
        return f"case.{self.transition}"


OPENING_ACTIONS = ("case.open", "case.open_at_warning", "case.open_at_enforcement")


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseMoved(DomainEvent):
    """A transition of the ladder's table other than opening: ``case.<transition>``."""

    transition: str
    from_stage: Stage
    to_stage: Stage
    outcome: Outcome | None = None

    @property
    def action(self) -> str:
        return f"case.{self.transition}"

    @property
    def enters(self) -> Stage | None:
        """The stage the case entered, if the transition moved it up the ladder."""
        return self.to_stage if self.to_stage != self.from_stage and self.outcome is None else None


@dataclasses.dataclass(frozen=True, kw_only=True)
class VerificationFailed(CaseMoved):
    """A re-inspection or follow-up found findings unrectified and moved the case up."""

    inspection_id: int
    unrectified: list[int]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ClosedByEnforcement(CaseMoved):
    """A shutdown or ban ended the case."""

    enforcement_id: int


CASE_SCHEMAS = {"fail_reinspection": VerificationFailed, "fail_follow_up": VerificationFailed,
                "shut_down": ClosedByEnforcement, "ban": ClosedByEnforcement}


def case_schema(transition: str) -> type[CaseMoved]:
    return CASE_SCHEMAS.get(transition, CaseMoved)


# -- inspections -------------------------------------------------------------------------------------------

@kind("inspection.recorded")
@dataclasses.dataclass(frozen=True, kw_only=True)
class InspectionRecorded(DomainEvent):
    kind: InspectionKind
    findings: list[int]  # new findings left to rectify (the 整改提醒通知书 lists them)
    verified: dict[str, bool]  # finding id → seen rectified
    # 即查即改: new findings rectified during this visit, closed at once with their photos (no notice).
    on_the_spot: list[int] = dataclasses.field(default_factory=list)
    opened_at: Stage | None = None  # the stage of the case this inspection opened, if it opened one


@kind("finding.rectification_reported")
@dataclasses.dataclass(frozen=True, kw_only=True)
class RectificationReported(DomainEvent):
    finding_id: int


@kind("plan.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PlanCreated(DomainEvent):
    planned_on: date


# -- interviews --------------------------------------------------------------------------------------------

@kind("round.convened")
@dataclasses.dataclass(frozen=True, kw_only=True)
class RoundConvened(DomainEvent):
    number: int
    held_on: date
    cases: list[int]


@kind("round.participants")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ParticipantsRecorded(DomainEvent):
    participants: int


@kind("summons.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class Summoned(DomainEvent):
    round_id: int


@kind("summons.attended")
@dataclasses.dataclass(frozen=True, kw_only=True)
class Attended(DomainEvent):
    round_id: int


@kind("summons.absent")
@dataclasses.dataclass(frozen=True, kw_only=True)
class Absent(DomainEvent):
    round_id: int


@kind("summons.minutes")
@dataclasses.dataclass(frozen=True, kw_only=True)
class MinutesRecorded(DomainEvent):
    """约谈记录 written, or corrected (``reason``; ``previous`` keeps what it said)."""

    round_id: int
    minutes: str
    previous: str | None


@kind("summons.commitment")
@dataclasses.dataclass(frozen=True, kw_only=True)
class CommitmentUploaded(DomainEvent):
    """Pages of the unit's signed 责任书/承诺书 kept with its summons."""

    round_id: int
    photos: list[int]


@kind("training.recorded")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainingRecorded(DomainEvent):
    held_on: date
    kind: str
    topic: str
    person_times: int


@kind("training.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TrainingUpdated(DomainEvent):
    """A session's facts changed; ``before`` keeps the ones it had."""

    held_on: date
    kind: str
    topic: str
    person_times: int
    before: dict


# -- 双交办 ------------------------------------------------------------------------------------------------

@kind("assignment.issued")
@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentIssued(DomainEvent):
    regulator: str  # department codes
    territorial: str
    deadline: date
    findings: list[int]


@kind("assignment.received")
@dataclasses.dataclass(frozen=True, kw_only=True)
class AssignmentReceived(DomainEvent):
    assignment_id: int
    role: str  # assignments.models.RecipientRole


@kind("assignment.guidance")
@dataclasses.dataclass(frozen=True, kw_only=True)
class GuidanceGiven(DomainEvent):
    note: str


@kind("finding.signed_off")
@dataclasses.dataclass(frozen=True, kw_only=True)
class SignedOff(DomainEvent):
    finding_id: int


@kind("finding.sign_off_refused")
@dataclasses.dataclass(frozen=True, kw_only=True)
class SignOffRefused(DomainEvent):
    finding_id: int


@kind("finding.closed_out")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ClosedOut(DomainEvent):
    finding_id: int


# -- 延期 (deadline_extensions) ------------------------------------------------------------------------------

@kind("extension.requested")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtensionRequested(DomainEvent):
    findings: list[int]
    assignment_id: int | None
    requested_deadline: date
    decider: str  # department code


@kind("extension.approved")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtensionApproved(DomainEvent):
    findings: list[int]
    granted_deadline: date


@kind("extension.refused")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtensionRefused(DomainEvent):
    findings: list[int]


@kind("region.extension_decider")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExtensionDeciderSet(DomainEvent):
    code: str  # the county's
    decider: str  # regions.models.ExtensionDecider
    previous: str


@kind("region.history_rules")
@dataclasses.dataclass(frozen=True, kw_only=True)
class HistoryRulesSet(DomainEvent):
    code: str  # the county's
    recurrence_opens_at_warning: bool
    watch_list_clean_months: int
    previous: dict  # the two values before


# -- the 重点监管名单 (watch_list/) ----------------------------------------------------------------------------

@kind("watch_list.entered")
@dataclasses.dataclass(frozen=True, kw_only=True)
class WatchListEntered(DomainEvent):
    """``case_id`` is the case whose event made the entry."""

    entry_id: int
    watch_reason: WatchReason


@kind("watch_list.left")
@dataclasses.dataclass(frozen=True, kw_only=True)
class WatchListLeft(DomainEvent):
    """The county office's exit decision; ``reason`` is its note."""

    entries: list[int]
    clean_since: date  # the day the clean period ran from


# -- enforcement -------------------------------------------------------------------------------------------

@kind("enforcement.recorded")
@dataclasses.dataclass(frozen=True, kw_only=True)
class EnforcementRecorded(DomainEvent):
    kind: ActionKind
    decision_no: str | None
    amount: str | None  # a decimal, in yuan


@kind("referral.feedback")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ReferralFeedbackRecorded(DomainEvent):
    referral_number: str
    department: str  # the code of the regulator whose feedback it is
    done_on: date
    reply_number: str | None


# -- documents ---------------------------------------------------------------------------------------------

@kind("document.issued")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentIssued(DomainEvent):
    number: str
    kind: DocumentKind
    version: int
    sha256: str


@kind("document.reissued")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentReissued(DocumentIssued):
    pass


@kind("document.superseded")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentSuperseded(DomainEvent):
    superseded_by: int


@kind("document.revoked")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentRevoked(DomainEvent):
    pass


@kind("document.served")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DocumentServed(DomainEvent):
    number: str
    method: ServiceMethod
    served_on: date
    receiver: str | None = None
    witness: str | None = None
    photos: list[int] = dataclasses.field(default_factory=list)


@kind("document.service_corrected")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ServiceCorrected(DomainEvent):
    """The county office corrected a record of service (``reason``); ``before`` keeps what it said."""

    number: str
    before: dict
    after: dict


# -- exposures ---------------------------------------------------------------------------------------------

@kind("exposure.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposureCreated(DomainEvent):
    title: str
    draft: bool
    units: list[int]
    findings: list[int]


@kind("exposure.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposureUpdated(DomainEvent):
    title: str
    expires_on: date | None
    units: list[int]
    findings: list[int]


@kind("exposure.discarded")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposureDiscarded(DomainEvent):
    title: str


@kind("exposure.expiry_set")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExpirySet(DomainEvent):
    previous: date | None
    expires_on: date | None


@kind("exposure.taken_down")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposureTakenDown(DomainEvent):
    previous: date | None
    expires_on: date | None


@kind("exposure.published")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposurePublished(DomainEvent):
    published_on: date


@kind("exposure.submitted")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposureSubmitted(DomainEvent):
    pass


@kind("exposure.returned")
@dataclasses.dataclass(frozen=True, kw_only=True)
class ExposureReturned(DomainEvent):
    """Sent back to draft by the approver; the reason is the log's ``reason``."""


@kind("exposure.listed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PlaceListed(DomainEvent):
    exposure_id: int
    findings: list[int]


# -- the catalogue, units and users --------------------------------------------------------------------------

@kind("region.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class RegionCreated(DomainEvent):
    code: str


@kind("region.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class RegionCorrected(DomainEvent):
    code: str
    changes: dict[str, dict]  # field → {"old": …, "new": …}


@kind("department.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DepartmentCreated(DomainEvent):
    code: str


@kind("department.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DepartmentCorrected(DomainEvent):
    code: str
    changes: dict[str, dict]  # field → {"old": …, "new": …}


@kind("hazard_type.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class HazardTypeCreated(DomainEvent):
    code: str


@kind("hazard_type.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class HazardTypeCorrected(DomainEvent):
    code: str
    changes: dict[str, dict]  # field → {"old": …, "new": …}


@kind("unit.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitCreated(DomainEvent):
    pass


@kind("unit.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitCorrected(DomainEvent):
    changes: dict[str, dict]  # field → {"old": …, "new": …}


@kind("unit.resumed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitResumed(DomainEvent):
    """复业: a suspended unit set back to operating by the office's decision."""

    decision: str
    resumed_on: date
    suspended_on: date | None  # the suspension lifted (None: suspended without a recorded action)


@kind("unit.deregistered")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UnitDeregistered(DomainEvent):
    """注销: the unit is kept for its history and never inspected again; the reason is the log's column."""

    deregistered_on: date
    from_status: str


@kind("user.created")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UserCreated(DomainEvent):
    role: str
    department: str | None


@kind("user.updated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UserUpdated(DomainEvent):
    role: str
    department: str | None


@kind("user.enabled")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UserEnabled(DomainEvent):
    pass


@kind("user.disabled")
@dataclasses.dataclass(frozen=True, kw_only=True)
class UserDisabled(DomainEvent):
    pass


@kind("user.password_changed")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PasswordChanged(DomainEvent):
    pass


@kind("user.password_reset")
@dataclasses.dataclass(frozen=True, kw_only=True)
class PasswordReset(DomainEvent):
    pass


@kind("user.signed_out")
@dataclasses.dataclass(frozen=True, kw_only=True)
class SignedOut(DomainEvent):
    """Logged out: every session and API token of the user ended."""


@kind("user.token_issued")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TokenIssued(DomainEvent):
    pass


@kind("user.tokens_revoked")
@dataclasses.dataclass(frozen=True, kw_only=True)
class TokensRevoked(DomainEvent):
    count: int


@kind("data.generated")
@dataclasses.dataclass(frozen=True, kw_only=True)
class DataGenerated(DomainEvent):
    seed: int
    units: int
    years: int
    start: date
    end: date


# -- reading and writing rows --------------------------------------------------------------------------------

def schema_of(action: str) -> type[DomainEvent]:
    if action in OPENING_ACTIONS:
        return CaseOpened
    if action.startswith("case."):
        return case_schema(action.removeprefix("case."))
    return KINDS[action]


def parse(row) -> DomainEvent:
    """The logged event ``row`` (an ``Event``) read back into its schema, with its values typed."""
    schema = schema_of(row.action)
    hints = typing.get_type_hints(schema)
    values = {name: _typed(hints[name], value) for name, value in (row.data or {}).items()}
    if issubclass(schema, CaseMoved | CaseOpened):
        values["transition"] = row.action.removeprefix("case.")
    return schema(case_id=row.case_id, unit_id=row.unit_id, reason=row.reason, **values)


def _typed(hint, value):
    if value is None:
        return None
    for candidate in typing.get_args(hint) or (hint,):
        if isinstance(candidate, type) and issubclass(candidate, enum.Enum):
            return candidate(value)
        if candidate is date:
            return date.fromisoformat(value)
    return value


def row_values(event: DomainEvent, *, at: datetime, actor_id: int | None, subject_type: str,
               subject_id: int) -> dict:
    """The columns of the ``Event`` row that logs ``event``."""
    return {"at": at, "actor_id": actor_id, "action": event.action, "subject_type": subject_type,
            "subject_id": subject_id, "case_id": event.case_id, "unit_id": event.unit_id, "reason": event.reason,
            "data": event.data()}
