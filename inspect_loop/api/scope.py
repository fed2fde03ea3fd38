"""Which rows each reader may see (the prose is in ``docs/permissions.md``).

- township office: units and cases of its township;
- county safety office: units and cases of its county;
- regulator: units of its county, and the cases with a finding in one of its sectors;
- administrator, inspector, viewer: everything (inspection teams go anywhere unannounced; leaders read all);
- interview rounds: a round belongs to the county that convened it; the county's office, township offices and
  regulators read its rounds (with the summonses of the cases they may see), no other county's.

Lists are filtered with these conditions in SQL; a single row outside the reader's scope answers 403.
"""

from sqlalchemy import exists, or_, true

from inspect_loop.assignments.models import Assignment
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.errors import Forbidden
from inspect_loop.hazards.models import HazardType
from inspect_loop.inspections.models import Finding
from inspect_loop.interviews.models import InterviewRound
from inspect_loop.letters.models import Document
from inspect_loop.regions.models import Department, Region, RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import home_county, home_region

OUT_OF_SCOPE = ("超出本部门的管辖范围", "This lies outside your department's area.")


def _home_column(home: Region, unit_or_class):
    """The unit's township or county, whichever the home region is."""
    return unit_or_class.township_id if home.level == RegionLevel.township else unit_or_class.county_id


def unit_condition(actor: User):
    """SQL condition on ``Unit`` (the query must include the unit)."""
    home = home_region(actor)
    return true() if home is None else _home_column(home, Unit) == home.id


def _in_sectors(actor: User):
    return exists().where(Finding.case_id == Case.id, HazardType.id == Finding.hazard_type_id,
                          HazardType.sector.in_(actor.department.sectors))


def case_condition(actor: User):
    """SQL condition on ``Case`` joined with its ``Unit``."""
    if actor.role == Role.regulator:
        return unit_condition(actor) & _in_sectors(actor)
    return unit_condition(actor)


def can_see_unit(actor: User, unit: Unit) -> bool:
    home = home_region(actor)
    return home is None or _home_column(home, unit) == home.id


def can_see_case(actor: User, case: Case) -> bool:
    if not can_see_unit(actor, case.unit):
        return False
    if actor.role == Role.regulator:
        sectors = set(actor.department.sectors)
        return any(finding.hazard_type.sector in sectors for finding in case.findings)
    return True


def round_condition(actor: User):
    """SQL condition on ``InterviewRound`` joined with its convening ``Department`` (always a county office, so
    its region is the round's county)."""
    county = home_county(actor)
    return true() if county is None else Department.region_id == county.id


def can_see_round(actor: User, interview_round: InterviewRound) -> bool:
    county = home_county(actor)
    return county is None or interview_round.convened_by.region_id == county.id


def require_round(actor: User, interview_round: InterviewRound) -> None:
    if not can_see_round(actor, interview_round):
        raise Forbidden(*OUT_OF_SCOPE)


def require_unit(actor: User, unit: Unit) -> None:
    if not can_see_unit(actor, unit):
        raise Forbidden(*OUT_OF_SCOPE)


def require_case(actor: User, case: Case) -> None:
    if not can_see_case(actor, case):
        raise Forbidden(*OUT_OF_SCOPE)


def can_see_document(actor: User, document: Document) -> bool:
    if document.case_id is not None:
        return can_see_case(actor, db.session.get(Case, document.case_id))
    return can_see_unit(actor, document.unit)


def document_condition(actor: User):
    """SQL condition on ``Document`` joined with its ``Unit`` and outer-joined with its ``Case``: the notices of
    the cases (or, without a case, the units) the reader may see."""
    return unit_condition(actor) & or_(Document.case_id.is_(None), case_condition(actor))


def require_document(actor: User, document: Document) -> None:
    if not can_see_document(actor, document):
        raise Forbidden(*OUT_OF_SCOPE)


def assignment_condition(actor: User):
    """Recipients see their own inbox; the county office its county's 交办单; the others all of them."""
    department = actor.department
    if actor.role in (Role.township_office, Role.regulator):
        return or_(Assignment.regulator_id == department.id, Assignment.territorial_id == department.id)
    return unit_condition(actor)


def require_assignment(actor: User, assignment: Assignment) -> None:
    department = actor.department
    if actor.role in (Role.township_office, Role.regulator):
        if department.id not in (assignment.regulator_id, assignment.territorial_id):
            raise Forbidden("只能查看发给本部门的交办单", "You may read only the assignment orders sent to your department.")
    else:
        require_unit(actor, assignment.case.unit)


def extension_condition(actor: User):
    """SQL condition on ``ExtensionRequest`` joined with its ``Case`` and ``Unit``: the requests of the cases
    the reader sees, and those it decides."""
    condition = case_condition(actor)
    if actor.department_id is not None:
        condition = or_(condition, ExtensionRequest.decider_id == actor.department_id)
    return condition


def require_extension(actor: User, request: ExtensionRequest) -> None:
    if actor.department_id is not None and request.decider_id == actor.department_id:
        return
    require_case(actor, request.case)
