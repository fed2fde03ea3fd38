"""平安曝光: the county safety office lists places and their serious problems, as a draft or published at once."""

from dataclasses import dataclass
from datetime import date

from inspect_loop import clock
from inspect_loop.audit.log import record_event
from inspect_loop.db import db
from inspect_loop.errors import Forbidden, InvalidInput, TransitionRefused
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureStatus
from inspect_loop.inspections.models import Finding
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from inspect_loop.users.permissions import Action, require

TITLE_LENGTH = 200


@dataclass(frozen=True)
class ExposedPlace:
    """One place on an exposure and the problems of that place it names."""

    unit: Unit
    findings: list[Finding]


def create_exposure(actor: User, *, title: str, items: list[ExposedPlace], draft: bool = False,
                    expires_on: date | None = None) -> Exposure:
    """An exposure posted by the county office is published at once unless it is a draft."""
    require(actor, Action.manage_exposures)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("请填写曝光标题", "title is required", field="title")
    if len(title) > TITLE_LENGTH:
        raise InvalidInput(f"曝光标题不能超过{TITLE_LENGTH}个字", f"title is longer than {TITLE_LENGTH}",
                           field="title")
    if not items:
        raise InvalidInput("请至少列出一个曝光场所", "items must not be empty", field="items")
    if expires_on is not None and expires_on < clock.today():
        raise InvalidInput("曝光截止日期不能早于今天", "expires_on is in the past", field="expires_on")
    county_id = _county_of(actor)
    seen_units: set[int] = set()
    for index, item in enumerate(items):
        if item.unit.id in seen_units:
            raise InvalidInput(f"单位“{item.unit.name}”重复列出", f"unit {item.unit.id} is listed twice",
                               field=f"items.{index}.unit_id")
        seen_units.add(item.unit.id)
        if county_id is not None and item.unit.county_id != county_id:
            raise Forbidden("只能曝光本县（市、区）的单位", "you may expose only units of your own county")
        if not item.findings:
            raise InvalidInput("每个曝光场所须至少列出一个问题", "each place needs at least one finding",
                               field=f"items.{index}.finding_ids")
        for finding in item.findings:
            if finding.unit_id != item.unit.id:
                raise InvalidInput(f"问题{finding.id}不属于单位“{item.unit.name}”",
                                   f"finding {finding.id} is not a finding of unit {item.unit.id}",
                                   field=f"items.{index}.finding_ids")

    moment = clock.now()
    exposure = Exposure(title=title, status=ExposureStatus.draft, created_at=moment, created_by_id=actor.id,
                        expires_on=expires_on)
    exposure.items = [ExposureItem(unit=item.unit, unit_id=item.unit.id,
                                   findings=list(dict.fromkeys(item.findings))) for item in items]
    db.session.add(exposure)
    db.session.flush()
    record_event(actor, "exposure.created", exposure, title=title, draft=draft,
                 units=[item.unit_id for item in exposure.items],
                 findings=[finding.id for item in exposure.items for finding in item.findings])
    for item in exposure.items:
        # One line per place, so that the unit's own history shows it was exposed.
        record_event(actor, "exposure.listed", item, unit_id=item.unit_id, exposure_id=exposure.id,
                     findings=[finding.id for finding in item.findings])
    if not draft:
        _publish(actor, exposure)
    return exposure


def publish_exposure(actor: User, exposure: Exposure) -> Exposure:
    require(actor, Action.manage_exposures)
    county_id = _county_of(actor)
    if county_id is not None and any(item.unit.county_id != county_id for item in exposure.items):
        raise Forbidden("只能发布本县（市、区）的曝光", "you may publish only exposures of your own county")
    if exposure.status == ExposureStatus.published:
        raise TransitionRefused(f"曝光“{exposure.title}”已发布", f"exposure {exposure.id} is already published")
    return _publish(actor, exposure)


def _publish(actor: User, exposure: Exposure) -> Exposure:
    moment = clock.now()
    exposure.status = ExposureStatus.published
    exposure.published_at = moment
    exposure.published_on = clock.local_date(moment)
    db.session.flush()
    record_event(actor, "exposure.published", exposure, published_on=exposure.published_on)
    return exposure


def _county_of(actor: User) -> int | None:
    """The county a county-office user acts for; None for the administrator, who acts for every county."""
    department = actor.department
    return department.region_id if department is not None else None
