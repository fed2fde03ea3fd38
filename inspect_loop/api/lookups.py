"""Finding the rows a request names; an unknown id or code is a 404 naming the field."""

from sqlalchemy import select

from inspect_loop.api.schemas import MAX_ID
from inspect_loop.assignments.models import Assignment
from inspect_loop.cases.models import Case
from inspect_loop.db import db
from inspect_loop.deadline_extensions.models import ExtensionRequest
from inspect_loop.errors import InvalidInput, NotFound
from inspect_loop.exposures.models import Exposure
from inspect_loop.hazards.models import HazardType
from inspect_loop.inspections.models import Finding, InspectionPlan, Photo
from inspect_loop.interviews.models import InterviewRound, TrainingSession
from inspect_loop.letters.models import Document
from inspect_loop.regions.lookup import department_by_code, region_by_code
from inspect_loop.regions.models import Department, Region, RegionLevel
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User

LABELS = {
    Unit: ("单位", "unit"),
    Case: ("案件", "case"),
    Finding: ("问题", "problem"),
    Assignment: ("交办单", "assignment order"),
    InterviewRound: ("约谈轮次", "interview round"),
    Document: ("文书", "document"),
    Exposure: ("曝光", "public exposure"),
    InspectionPlan: ("暗访计划", "unannounced inspection plan"),
    Photo: ("照片", "photo"),
    ExtensionRequest: ("延期申请", "extension request"),
    TrainingSession: ("警示教育活动", "education session"),
}


def get_or_404(model, row_id: int, field: str):
    row = db.session.get(model, row_id) if 1 <= row_id <= MAX_ID else None
    if row is None:
        zh, en = LABELS[model]
        raise NotFound(f"{zh} {row_id} 不存在", f"There is no {en} {row_id}.", field=field)
    return row


def department(code: str, field: str) -> Department:
    return department_by_code(code, field=field)


def departments(codes: list[str], field: str) -> list[Department]:
    return [department_by_code(code, field=f"{field}.{index}") for index, code in enumerate(codes)]


def region(code: str, field: str) -> Region:
    return region_by_code(code, field=field)


def filter_region(code: str) -> Region:
    """A list filter's region: a county or a township (SPEC: the unit's township or county)."""
    found = region_by_code(code, field="region")
    if found.level not in (RegionLevel.county, RegionLevel.township):
        raise InvalidInput("请填写县（市、区）或乡镇（街道）的区划代码",
                           "Give the code of a county or a township.",
                           field="region")
    return found


def hazard_type(code: str, field: str) -> HazardType:
    found = db.session.scalar(select(HazardType).where(HazardType.code == code))
    if found is None:
        raise NotFound(f"隐患类型 {code} 不存在", f"There is no hazard type with the code {code}.", field=field)
    return found


def users(names: list[str], field: str) -> list[User]:
    """Users by username, each once, in the order given."""
    found = {}
    for index, name in enumerate(names):
        if name in found:
            continue
        user = db.session.scalar(select(User).where(User.username == name))
        if user is None or not user.active:
            raise NotFound(f"用户 {name} 不存在或已停用", f"There is no active user {name}.", field=f"{field}.{index}")
        found[name] = user
    return list(found.values())
