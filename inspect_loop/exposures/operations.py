"""平安曝光: the county safety office lists places and their serious problems; a second person approves.

draft (草稿) → awaiting approval (待审批) → published (已发布), or returned with a reason to draft. Whoever
wrote or submitted an exposure cannot approve or return it (the second person, ``docs/decisions.md``).
A draft can be changed or discarded and is never public; an exposure awaiting approval can no longer be
changed until it is returned. A published exposure is on the public page
``/exposures`` until its end date (``expires_on``, inclusive; none = until taken down) and can no longer be
changed, only given another end date or taken down. It counts in the statistics of the period it was
published in whatever happens to its end date (``docs/statistics.md``).
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, select

from inspect_loop import clock
from inspect_loop.audit.events import (
    ExpirySet,
    ExposureCreated,
    ExposureDiscarded,
    ExposurePublished,
    ExposureReturned,
    ExposureSubmitted,
    ExposureTakenDown,
    ExposureUpdated,
    PlaceListed,
)
from inspect_loop.audit.log import record_event
from inspect_loop.audit.models import Event
from inspect_loop.cases.models import Outcome
from inspect_loop.db import db, lock
from inspect_loop.errors import Forbidden, InvalidInput, TransitionRefused
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureStatus
from inspect_loop.inspections.models import Finding
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require

TITLE_LENGTH = 200
REASON_LENGTH = 500
# The events whose actor took part in writing an exposure, and so may not approve it.
AUTHORING = (ExposureCreated.ACTION, ExposureUpdated.ACTION, ExposureSubmitted.ACTION)


@dataclass(frozen=True)
class ExposedPlace:
    """One place on an exposure and the problems of that place it names."""

    unit: Unit
    findings: list[Finding]


def places_of(findings: list[Finding]) -> list[ExposedPlace]:
    """Chosen problems grouped by their place, places in the order their first problem was chosen."""
    by_unit: dict[int, ExposedPlace] = {}
    for finding in findings:
        place = by_unit.setdefault(finding.unit_id, ExposedPlace(finding.unit, []))
        place.findings.append(finding)
    return list(by_unit.values())


def create_exposure(actor: User, *, title: str, items: list[ExposedPlace], draft: bool = False,
                    expires_on: date | None = None) -> Exposure:
    """An exposure drafted by the county office; unless kept as a draft it is submitted for approval at once."""
    require(actor, Action.manage_exposures)
    title = _checked(actor, title, items, expires_on)
    exposure = Exposure(title=title, status=ExposureStatus.draft, created_at=clock.now(), created_by_id=actor.id,
                        expires_on=expires_on)
    exposure.items = _items(items)
    db.session.add(exposure)
    db.session.flush()
    record_event(actor, ExposureCreated(title=title, draft=draft, units=[item.unit_id for item in exposure.items],
                                        findings=[finding.id for item in exposure.items for finding in item.findings]),
                 exposure)
    if not draft:
        _submit(actor, exposure)
    return exposure


def update_draft(actor: User, exposure: Exposure, *, title: str, items: list[ExposedPlace],
                 expires_on: date | None) -> Exposure:
    """Replace a draft's title, end date and places; one awaiting approval or published is no longer changed."""
    require(actor, Action.manage_exposures)
    require_own_county(actor, exposure)
    lock(exposure)
    _require_draft(exposure, "不能再修改内容", "can no longer be changed")
    exposure.title = _checked(actor, title, items, expires_on)
    exposure.expires_on = expires_on
    exposure.items.clear()
    db.session.flush()  # the old places go first: a place listed again would clash with (exposure, unit)
    exposure.items = _items(items)
    db.session.flush()
    record_event(actor, ExposureUpdated(title=exposure.title, expires_on=expires_on,
                                        units=[item.unit_id for item in exposure.items],
                                        findings=[finding.id for item in exposure.items for finding in item.findings]),
                 exposure)
    return exposure


def discard_draft(actor: User, exposure: Exposure) -> None:
    """Delete a draft that will not be published; a published exposure stays on record."""
    require(actor, Action.manage_exposures)
    require_own_county(actor, exposure)
    lock(exposure)
    _require_draft(exposure, "不能删除", "cannot be deleted")
    record_event(actor, ExposureDiscarded(title=exposure.title), exposure)
    db.session.delete(exposure)
    db.session.flush()


def submit_exposure(actor: User, exposure: Exposure) -> Exposure:
    """送审: a draft goes to the approver; from now on it cannot be changed unless it is returned."""
    require(actor, Action.manage_exposures)
    require_own_county(actor, exposure)
    lock(exposure)
    _require_draft(exposure, "不能再送审", "cannot be submitted again")
    _check_publishable(exposure)
    return _submit(actor, exposure)


def approve_exposure(actor: User, exposure: Exposure) -> Exposure:
    """审批通过: a second person publishes an exposure awaiting approval."""
    _require_approver(actor, exposure)
    _check_publishable(exposure)
    exposure.approved_by_id = actor.id
    return _publish(actor, exposure)


def return_exposure(actor: User, exposure: Exposure, reason: str) -> Exposure:
    """退回修改: the approver sends an exposure back to draft with the reason, which the drafter reads."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写退回原因", "Give the reason for returning it.", field="reason")
    if len(reason) > REASON_LENGTH:
        raise InvalidInput(f"退回原因不能超过{REASON_LENGTH}个字", f"The reason may have at most {REASON_LENGTH} characters.",
                           field="reason")
    _require_approver(actor, exposure)
    exposure.status = ExposureStatus.draft
    exposure.return_reason = reason
    db.session.flush()
    record_event(actor, ExposureReturned(reason=reason), exposure)
    return exposure


def set_expiry(actor: User, exposure: Exposure, expires_on: date | None) -> Exposure:
    """Give an exposure another last day on the public page (inclusive), or none (until taken down)."""
    require(actor, Action.manage_exposures)
    require_own_county(actor, exposure)
    lock(exposure)
    _check_expiry(expires_on)
    previous = exposure.expires_on
    exposure.expires_on = expires_on
    db.session.flush()
    record_event(actor, ExpirySet(previous=previous, expires_on=expires_on), exposure)
    return exposure


def take_down(actor: User, exposure: Exposure, reason: str) -> Exposure:
    """Take a published exposure off the public page now: its last day on show becomes yesterday.

    It still counts in the statistics of the period it was published in.
    """
    require(actor, Action.manage_exposures)
    require_own_county(actor, exposure)
    lock(exposure)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写下线原因", "Give the reason for taking it down.", field="reason")
    if not is_shown(exposure, clock.today()):
        raise TransitionRefused(f"曝光“{exposure.title}”目前不在公示中", f"The exposure “{exposure.title}” is not on show.")
    previous = exposure.expires_on
    exposure.expires_on = clock.today() - timedelta(days=1)
    db.session.flush()
    record_event(actor, ExposureTakenDown(reason=reason[:500], previous=previous, expires_on=exposure.expires_on),
                 exposure)
    return exposure


def is_shown(exposure: Exposure, today: date) -> bool:
    """On the public page today: published, and no end date or one not yet passed."""
    return (exposure.status == ExposureStatus.published
            and (exposure.expires_on is None or exposure.expires_on >= today))


# -- checks ---------------------------------------------------------------------------------------------

def _checked(actor: User, title: str, items: list[ExposedPlace], expires_on: date | None) -> str:
    """The trimmed title, once title, places, problems and end date are valid."""
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写曝光标题", "Give the exposure a title.", field="title")
    if len(title) > TITLE_LENGTH:
        raise InvalidInput(f"曝光标题不能超过{TITLE_LENGTH}个字", f"The title may have at most {TITLE_LENGTH} characters.",
                           field="title")
    if not items:
        raise InvalidInput("请至少列出一个曝光场所", "List at least one place to expose.", field="items")
    _check_expiry(expires_on)
    county_id = _county_of(actor)
    seen_units: set[int] = set()
    for index, item in enumerate(items):
        if item.unit.id in seen_units:
            raise InvalidInput(f"单位“{item.unit.name}”重复列出", f"The unit “{item.unit.name}” is listed twice.",
                               field=f"items.{index}.unit_id")
        seen_units.add(item.unit.id)
        if county_id is not None and item.unit.county_id != county_id:
            raise Forbidden("只能曝光本县（市、区）的单位", "You may expose only units of your own county.")
        if not item.findings:
            raise InvalidInput("每个曝光场所须至少列出一个问题", "List at least one problem for each place.",
                               field=f"items.{index}.finding_ids")
        for finding in item.findings:
            if finding.unit_id != item.unit.id:
                raise InvalidInput(f"问题“{finding.hazard_type.title}”不属于单位“{item.unit.name}”",
                                   f"“{finding.hazard_type.title}” is not a problem of “{item.unit.name}”.",
                                   field=f"items.{index}.finding_ids")
            if finding.case is not None and finding.case.outcome == Outcome.withdrawn:
                # A withdrawn case was recorded in error: its problems are no one's to be exposed for.
                raise InvalidInput(f"问题“{finding.hazard_type.title}”所在案件已撤销，不能曝光",
                                   f"The case of “{finding.hazard_type.title}” was withdrawn, so it cannot be "
                                   "exposed.",
                                   field=f"items.{index}.finding_ids")
    return title


def _check_expiry(expires_on: date | None) -> None:
    if expires_on is not None and expires_on < clock.today():
        raise InvalidInput("曝光截止日期不能早于今天", "The end date cannot be earlier than today.", field="expires_on")


def require_own_county(actor: User, exposure: Exposure) -> None:
    county_id = _county_of(actor)
    if county_id is not None and any(item.unit.county_id != county_id for item in exposure.items):
        raise Forbidden("只能管理本县（市、区）的曝光", "You may manage only the exposures of your own county.")


def _items(items: list[ExposedPlace]) -> list[ExposureItem]:
    return [ExposureItem(unit=item.unit, unit_id=item.unit.id, findings=list(dict.fromkeys(item.findings)))
            for item in items]


def _record_listed(actor: User, exposure: Exposure) -> None:
    """At publication, one line per place, so that the unit's own history shows it was exposed; a draft is
    not public and leaves no trace in a unit's history."""
    for item in exposure.items:
        record_event(actor, PlaceListed(unit_id=item.unit_id, exposure_id=exposure.id,
                                        findings=[finding.id for finding in item.findings]), item)


def _require_draft(exposure: Exposure, refused_zh: str, refused_en: str) -> None:
    if exposure.status == ExposureStatus.awaiting_approval:
        raise TransitionRefused(f"曝光“{exposure.title}”正在等待审批，{refused_zh}；如需修改请由审批人退回",
                                f"The exposure “{exposure.title}” is awaiting approval and {refused_en}; the approver "
                                "can return it for changes.")
    if exposure.status == ExposureStatus.published:
        raise TransitionRefused(f"曝光“{exposure.title}”已发布，{refused_zh}；可设定公示截止日期或下线",
                                f"The exposure “{exposure.title}” is published and {refused_en}; set an end date or "
                                "take it down instead.")


def _require_approver(actor: User, exposure: Exposure) -> None:
    """The approver is a second person of the county office: awaiting approval, and not one of its authors."""
    require(actor, Action.approve_exposures)
    require_own_county(actor, exposure)
    lock(exposure)
    if exposure.status != ExposureStatus.awaiting_approval:
        state = "已发布" if exposure.status == ExposureStatus.published else "尚未送审"
        state_en = "is already published" if exposure.status == ExposureStatus.published else "has not been submitted"
        raise TransitionRefused(f"曝光“{exposure.title}”{state}，不在待审批状态",
                                f"The exposure “{exposure.title}” {state_en}, so it is not awaiting approval.")
    if is_author(actor, exposure):
        raise Forbidden("不能审批自己起草或送审的曝光，须由本单位另一人审批",
                        "You cannot approve or return an exposure you drafted or submitted; another person of the "
                        "office must decide.")


def is_author(actor: User, exposure: Exposure) -> bool:
    if actor.id in (exposure.created_by_id, exposure.submitted_by_id):
        return True
    return bool(db.session.scalar(select(exists().where(
        Event.subject_type == Exposure.__tablename__, Event.subject_id == exposure.id, Event.actor_id == actor.id,
        Event.action.in_(AUTHORING)))))


def _check_publishable(exposure: Exposure) -> None:
    if exposure.expires_on is not None and exposure.expires_on < clock.today():
        raise InvalidInput("公示截止日期已过，请先修改截止日期", "The end date of the exposure has passed: change it first.",
                           field="expires_on")


def _submit(actor: User, exposure: Exposure) -> Exposure:
    exposure.status = ExposureStatus.awaiting_approval
    exposure.submitted_at = clock.now()
    exposure.submitted_by_id = actor.id
    exposure.return_reason = None
    db.session.flush()
    record_event(actor, ExposureSubmitted(), exposure)
    return exposure


def _publish(actor: User, exposure: Exposure) -> Exposure:
    moment = clock.now()
    exposure.status = ExposureStatus.published
    exposure.published_at = moment
    exposure.published_on = clock.local_date(moment)
    db.session.flush()
    record_event(actor, ExposurePublished(published_on=exposure.published_on), exposure)
    _record_listed(actor, exposure)
    return exposure


def _county_of(actor: User) -> int | None:
    """The county a county-office user acts for; None for the administrator, who acts for every county."""
    department = actor.department
    return department.region_id if department is not None else None
