"""Read-side queries of 平安曝光 for the county office's pages: its exposures, their state, and the problems it
may choose from when it drafts one."""

import enum
from datetime import date

from sqlalchemy import Select, and_, case, exists, func, or_, select, true
from sqlalchemy.orm import selectinload

from inspect_loop.cases.models import Case, Outcome
from inspect_loop.cases.queries import overdue_condition
from inspect_loop.db import db
from inspect_loop.errors import InvalidInput
from inspect_loop.exposures.models import Exposure, ExposureItem, ExposureItemFinding, ExposureStatus
from inspect_loop.hazards.models import HazardType, Severity
from inspect_loop.inspections.models import Finding, FindingStatus
from inspect_loop.units.models import Unit

MAX_CHOSEN = 500  # problems on one exposure: a public page, not a data dump


class ExposureState(enum.StrEnum):
    draft = "draft"  # 草稿: never public
    awaiting = "awaiting"  # 待审批: submitted, waiting for a second person's approval; not public
    shown = "shown"  # 公示中: on the public page
    ended = "ended"  # 已下线: past its last day on show; still counts for the period it was published in


def state_condition(state: ExposureState, today: date):
    """SQL condition on ``Exposure`` for one state on ``today``."""
    published = Exposure.status == ExposureStatus.published
    return {
        ExposureState.draft: Exposure.status == ExposureStatus.draft,
        ExposureState.awaiting: Exposure.status == ExposureStatus.awaiting_approval,
        ExposureState.shown: and_(published, or_(Exposure.expires_on.is_(None), Exposure.expires_on >= today)),
        ExposureState.ended: and_(published, Exposure.expires_on < today),
    }[state]


def state_of(exposure: Exposure, today: date) -> ExposureState:
    if exposure.status == ExposureStatus.draft:
        return ExposureState.draft
    if exposure.status == ExposureStatus.awaiting_approval:
        return ExposureState.awaiting
    if exposure.expires_on is not None and exposure.expires_on < today:
        return ExposureState.ended
    return ExposureState.shown


def in_county(county_id: int | None):
    """SQL condition: the exposure lists a unit of the county (every exposure for None, the administrator)."""
    if county_id is None:
        return true()
    # From the exposure's few places to their units, never from the county's many units to the places.
    county_of_place = select(Unit.county_id).where(Unit.id == ExposureItem.unit_id).scalar_subquery()
    return exists().where(ExposureItem.exposure_id == Exposure.id, county_of_place == county_id)


def exposures(county_id: int | None, state: ExposureState | None, today: date) -> Select:
    """The county's exposures, newest first, with how many places and problems each lists and how many of those
    problems are closed now: rows ``(exposure, places, problems, closed)``."""
    places = select(func.count(ExposureItem.id)).where(ExposureItem.exposure_id == Exposure.id)
    listed = (select(func.count(ExposureItemFinding.finding_id))
              .join(ExposureItem, ExposureItem.id == ExposureItemFinding.item_id)
              .where(ExposureItem.exposure_id == Exposure.id))
    # Counted with CASE, not filtered with WHERE: a status condition would let SQLite start from every closed
    # finding instead of from the exposure's few.
    closed = (listed.with_only_columns(func.coalesce(func.sum(case((Finding.status == FindingStatus.closed, 1),
                                                                     else_=0)), 0))
              .join(Finding, Finding.id == ExposureItemFinding.finding_id))
    statement = (select(Exposure, places.scalar_subquery().label("places"), listed.scalar_subquery().label("problems"),
                        closed.scalar_subquery().label("closed"))
                 .where(in_county(county_id)))
    if state is not None:
        statement = statement.where(state_condition(state, today))
    return statement.order_by(Exposure.id.desc())


def state_counts(county_id: int | None, today: date) -> dict[ExposureState, int]:
    return {state: db.session.scalar(select(func.count(Exposure.id)).where(in_county(county_id),
                                                                           state_condition(state, today)))
            for state in ExposureState}


def with_places() -> tuple:
    """Loader options for an exposure's page: its places, their units and problems with hazard types."""
    return (selectinload(Exposure.items).selectinload(ExposureItem.unit),
            selectinload(Exposure.items).selectinload(ExposureItem.findings).selectinload(Finding.hazard_type))


class Only(enum.StrEnum):
    """The quick filters of the problem picker."""

    major = "major"  # 重大隐患
    overdue = "overdue"  # 逾期未整改
    open = "open"  # 整改中


def candidates(county_id: int | None, *, text: str, township_id: int | None, only: Only | None,
               today: date) -> Select:
    """Problems the office may list on an exposure: its county's findings outside withdrawn cases (recorded in
    error), major ones first, then newest; ``text`` (LIKE-escaped) searches the unit's name and address."""
    statement = (select(Finding).join(Unit, Unit.id == Finding.unit_id).join(Case, Case.id == Finding.case_id)
                 .join(HazardType, HazardType.id == Finding.hazard_type_id)
                 .where(Case.outcome.is_distinct_from(Outcome.withdrawn))
                 .options(selectinload(Finding.unit).selectinload(Unit.township), selectinload(Finding.hazard_type)))
    if county_id is not None:
        statement = statement.where(Unit.county_id == county_id)
    if text:
        pattern = f"%{text}%"
        statement = statement.where(or_(Unit.name.ilike(pattern, escape="\\"), Unit.address.ilike(pattern, escape="\\")))
    if township_id is not None:
        statement = statement.where(Unit.township_id == township_id)
    if only == Only.major:
        statement = statement.where(Finding.severity == Severity.major)
    elif only == Only.overdue:
        statement = statement.where(overdue_condition(today))
    elif only == Only.open:
        statement = statement.where(Finding.status == FindingStatus.open)
    major_first = case((Finding.severity == Severity.major, 0), else_=1)
    return statement.order_by(major_first, Finding.found_on.desc(), Finding.id.desc())


def chosen_findings(ids: list[int], county_id: int | None) -> list[Finding]:
    """The findings posted by the picker, in the order chosen; an id outside the county is refused."""
    if len(ids) > MAX_CHOSEN:
        raise InvalidInput(f"一次曝光最多列出{MAX_CHOSEN}个问题", f"An exposure may list at most {MAX_CHOSEN} problems.",
                           field="finding_ids")
    found = {finding.id: finding for finding in db.session.scalars(
        select(Finding).where(Finding.id.in_(ids)).options(selectinload(Finding.unit), selectinload(Finding.case)))}
    missing = [finding_id for finding_id in ids if finding_id not in found
               or (county_id is not None and found[finding_id].unit.county_id != county_id)]
    if missing:
        raise InvalidInput("所选问题不存在或不属于本县（市、区）", "A chosen problem does not exist or lies outside your county.", field="finding_ids")
    return [found[finding_id] for finding_id in ids]
