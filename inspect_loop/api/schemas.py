"""Request models: every body and query string of the API is validated by one of these, and the OpenAPI
description is generated from the very same classes.

Bodies are strict (a number is not a string, ``"true"`` is not a boolean) and refuse unknown fields. Query
strings arrive as text, so their models convert and ignore parameters they do not know. Lengths follow the
database columns, so that no input can fail in the database after passing here.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from inspect_loop.cases.models import CaseStatus, Stage
from inspect_loop.characters import refused_character
from inspect_loop.clock import EARLIEST_DAY, LATEST_DAY
from inspect_loop.db import MAX_ID
from inspect_loop.deadline_extensions.models import ExtensionStatus
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.exposures.models import ExposureStatus
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.inspections.models import InspectionKind, PlanStatus
from inspect_loop.interviews.models import TrainingKind
from inspect_loop.letters.models import DocumentKind, ServiceMethod
from inspect_loop.regions.models import DepartmentKind, ExtensionDecider, RegionLevel
from inspect_loop.units.models import UnitStatus

MAX_PER_PAGE = 200

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _plain_text(multiline: bool):
    """The character rule of all stored text (``inspect_loop/characters.py``) as a validator."""
    def check(value: str) -> str:
        found = refused_character(value, multiline=multiline)
        if found is not None:
            raise PydanticCustomError("text_characters", "text must not contain {character}",
                                      {"character": found.description_en, "character_zh": found.description_zh})
        return value
    return check


def text(max_length: int, min_length: int = 0, *, multiline: bool = False):
    """Text of at most ``max_length`` characters; only ``multiline`` text may hold line breaks and tabs."""
    return Annotated[str, StringConstraints(min_length=min_length, max_length=max_length),
                     AfterValidator(_plain_text(multiline))]


def _day_in_range(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise PydanticCustomError("date_range", "date must lie between 2000-01-01 and 2099-12-31")
    return day


def _moment_in_range(moment: datetime) -> datetime:
    # Compared as written, before any time-zone arithmetic that could overflow at year 1 or 9999.
    if not EARLIEST_DAY <= moment.date() <= LATEST_DAY:
        raise PydanticCustomError("datetime_range", "time must lie between 2000 and 2099")
    return moment


Day = Annotated[date, AfterValidator(_day_in_range)]
Moment = Annotated[datetime, AfterValidator(_moment_in_range),
                   Field(description="ISO 8601; without an offset it is local time (Asia/Shanghai, +08:00)")]
Code = text(40, 1)
Username = text(50, 1)
Note = text(2000, multiline=True)
Reason = text(1000, 1, multiline=True)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Query(BaseModel):
    model_config = ConfigDict(extra="ignore")


# Catalogue -------------------------------------------------------------------------------------------------

class RegionIn(Body):
    code: text(20, 1)
    name: text(100, 1)
    level: RegionLevel
    parent_code: text(20) | None = None


class DepartmentIn(Body):
    code: Code
    name: text(100, 1)
    kind: DepartmentKind
    region_code: text(20, 1)
    sectors: list[Code] = Field(default_factory=list, max_length=20)
    doc_prefix: text(20) | None = Field(None, description="文号前缀，如“兰平安”；缺省取名称前两字")
    full_name: text(100) = Field("", description="发文机关全称，如“兰溪市平安建设领导小组办公室”；缺省文书印名称")
    address: text(200) = Field("", description="地址，印在文书上（如提醒通知书告知整改情况报送处）")
    contact_person: text(50) = Field("", description="联系人，印在本部门所发文书的附注")
    contact_phone: text(30) = Field("", description="联系电话：数字及“-”“（）”“转”“、”，至少5位数字")
    enforcement_powers: bool | None = Field(None, description="是否有责令停止使用等执法职权；缺省行业主管部门为是、平安办为否")


class HazardTypeIn(Body):
    code: Code
    category: Code
    title: text(200, 1)
    sector: Code
    severity: Severity
    rectify_days: int = Field(ge=0, le=365)
    day_basis: DayBasis = DayBasis.calendar
    legal_basis: text(500) = Field("", description="法律依据（法律法规或标准及条款），如“《中华人民共和国消防法》第二十八条”")


class RegionPatchIn(Body):
    """A correction of a region: only its name; the code, level and parent never change."""

    name: text(100, 1) | None = None


class DepartmentPatchIn(Body):
    """A correction of a department; an omitted (or null) field is unchanged. The code, kind and seat never
    change."""

    name: text(100, 1) | None = None
    sectors: list[Code] | None = Field(None, max_length=20, description="行业主管部门负责的全部行业（整体替换）；"
                                       "仍有本县该行业尚未签认的问题时不能取消")
    doc_prefix: text(20) | None = Field(None, description="文号前缀，只影响此后签发的文书，序号接续；空串取名称前两字")
    full_name: text(100) | None = Field(None, description="发文机关全称；空串则文书印名称")
    address: text(200) | None = None
    contact_person: text(50) | None = None
    contact_phone: text(30) | None = Field(None, description="数字及“-”“（）”“转”“、”，至少5位数字；空串清除")
    enforcement_powers: bool | None = Field(None, description="是否有责令停止使用等执法职权：决定此后所发文书的措辞")


class HazardTypePatchIn(Body):
    """A correction of a hazard type; an omitted (or null) field is unchanged. The code never changes."""

    category: Code | None = None
    title: text(200, 1) | None = None
    sector: Code | None = Field(None, description="改后每个尚未签认的问题须在其所在县有负责该行业的主管部门")
    severity: Severity | None = Field(None, description="只影响此后发现的问题")
    rectify_days: int | None = Field(None, ge=0, le=365, description="只影响此后发现的问题；已登记问题的整改期限不变")
    day_basis: DayBasis | None = Field(None, description="只影响此后发现的问题")
    legal_basis: text(500) | None = Field(None, description="法律依据；此后签发的文书印新依据，空串清除")


class UnitIn(Body):
    name: text(200, 1)
    uscc: text(40) | None = None
    address: text(300)
    region_code: text(20, 1)
    category: text(40)
    contact_name: text(50) | None = None
    contact_phone: text(30) | None = None


class UnitPatchIn(Body):
    """A correction of a unit's ledger entry; an omitted (or null) field is unchanged, "" empties an optional
    one (the USCC included)."""

    name: text(200, 1) | None = None
    uscc: text(40) | None = Field(None, description="空串删除统一社会信用代码")
    address: text(300) | None = None
    region_code: text(20, 1) | None = Field(None, description="所在乡镇（街道）、村（社区）或网格，限本县（市、区）内")
    category: text(40) | None = None
    contact_name: text(50) | None = None
    contact_phone: text(30) | None = None


class UnitResumeIn(Body):
    decision: text(2000, 1, multiline=True) = Field(description="复业决定（文号或内容）")
    resumed_on: Day = Field(description="复业日期：不晚于今天，不早于停业整顿决定日期")


class UnitDeregisterIn(Body):
    reason: text(2000, 1, multiline=True) = Field(description="注销原因")
    deregistered_on: Day = Field(description="注销日期：不晚于今天，不早于单位登记日期")


# Inspections -----------------------------------------------------------------------------------------------

class NewFindingIn(Body):
    hazard_code: Code
    description: Note = ""
    severity: Severity | None = Field(None, description="缺省取隐患类型的严重程度")
    photos: list[Id] = Field(default_factory=list, max_length=20, description="问题照片：已上传、尚未关联的照片 id")
    on_the_spot: bool = Field(False, description="即查即改：检查时当场整改到位（须附整改照片；重大隐患不适用）。"
                              "该问题直接销号，不签发整改提醒通知书，不因它立案")
    rectification_note: Note = Field("", description="即查即改的整改情况")
    rectification_photos: list[Id] = Field(default_factory=list, max_length=20,
                                           description="即查即改的整改后照片：已上传、尚未关联的照片 id，即查即改时必填")


class VerifiedIn(Body):
    finding_id: Id
    rectified: bool


class InspectionIn(Body):
    unit_id: Id
    kind: InspectionKind
    team: list[Username] = Field(default_factory=list, max_length=20)
    notes: Note = ""
    findings: list[NewFindingIn] = Field(default_factory=list, max_length=100)
    verified: list[VerifiedIn] = Field(default_factory=list, max_length=200)
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    plan_id: Id | None = None
    submission_key: text(64) | None = Field(
        None, description="客户端为本次提交生成的唯一编号（如 UUID）；网络重试时重复发送不会重复录入，返回原检查")


class PlanIn(Body):
    unit_id: Id
    planned_on: Day
    team: list[Username] = Field(min_length=1, max_length=20)
    notes: Note = ""


# Cases -----------------------------------------------------------------------------------------------------

class EscalateIn(Body):
    reason: Reason
    to_stage: Stage | None = Field(None, description="缺省升级到下一阶段")


class WithdrawIn(Body):
    reason: Reason


class RoundIn(Body):
    held_at: Moment
    venue: text(200, 1)
    venue_address: text(200) = Field("", description="约谈地点的地址，印在约谈通知书上")
    convened_by: Code
    departments: list[Code] = Field(max_length=50)
    case_ids: list[Id] = Field(min_length=1, max_length=200)
    participants: int = Field(0, ge=0, le=1_000_000)


class AttendanceIn(Body):
    case_id: Id
    attended: bool
    attendee_name: text(50) | None = None
    attendee_title: text(50) | None = None
    note: Note | None = None


class MinutesIn(Body):
    case_id: Id
    minutes: text(5000, 1, multiline=True) = Field(description="约谈记录：单位说明的情况和作出的承诺")
    reason: text(1000, multiline=True) | None = Field(None, description="修改已填写的约谈记录时必填")


class CommitmentIn(Body):
    case_id: Id
    photos: list[Id] = Field(min_length=1, max_length=20,
                             description="责任书（承诺书）各页：本人已上传（POST /photos）、尚未关联的照片 id")


class TrainingIn(Body):
    held_on: Day = Field(description="活动日期（不晚于今天）")
    kind: TrainingKind = Field(description="voluntary 到站教育培训；live_stream 线上直播")
    topic: text(200, 1)
    person_times: int = Field(ge=1, le=1_000_000, description="到场人次（直播为观看人次）")
    organiser: text(200) = Field("", description="组织单位，如某企业、某学校")
    township_code: Code | None = Field(None, description="举办的乡镇（街道）教育站；缺省为县（市、区）本级教育站")
    county_code: Code | None = Field(None, description="县（市、区）；县级平安办缺省为本县，管理员必填")


class RoundPatchIn(Body):
    participants: int = Field(ge=0, le=1_000_000)


class AssignmentIn(Body):
    regulator_code: Code
    territorial_code: Code | None = Field(None, description="缺省为单位所在乡镇（街道）平安办")
    finding_ids: list[Id] | None = Field(None, max_length=200,
                                         description="缺省为该部门所管行业的全部未销号问题")
    deadline: Day | None = Field(None, description="缺省为签发之日起15个自然日")


class RectificationIn(Body):
    note: text(2000, 1, multiline=True)
    photos: list[Id] = Field(default_factory=list, max_length=20,
                             description="已上传、尚未关联的照片 id")


class SignOffIn(Body):
    approved: bool
    note: Note | None = Field(None, description="不予签认时必填理由")


class ExtensionRequestIn(Body):
    case_id: Id
    finding_ids: list[Id] | None = Field(None, max_length=200, description="申请延期的问题；与 assignment_id 二选一")
    assignment_id: Id | None = Field(None, description="申请延长该交办单（其全部整改中的问题）的期限")
    requested_deadline: Day = Field(description="申请延至的日期，须晚于现整改期限")
    reason: text(2000, 1, multiline=True)
    photos: list[Id] = Field(default_factory=list, max_length=20, description="已上传、尚未关联的证明材料照片 id")


class ExtensionDecisionIn(Body):
    approved: bool
    reason: Note | None = Field(None, description="审批意见；不予延期时必填")
    granted_deadline: Day | None = Field(None, description="准予延至的日期；缺省为申请的日期")


class ExtensionDeciderIn(Body):
    decider: ExtensionDecider = Field(description="county_office：县级平安办审批；regulator：行业主管部门审批")


class HistoryRulesIn(Body):
    recurrence_opens_at_warning: bool = Field(description="两个月内同类隐患复发的新案件直接进入二次警示")
    watch_list_clean_months: int = Field(ge=1, le=36, description="移出重点监管名单前须连续无新案件的月数（1–36）")


class WatchListExitIn(Body):
    note: text(1000, 1, multiline=True) = Field(description="移出理由（如整改情况、复查结论）")


class CloseIn(Body):
    note: Note | None = None


class FindingsDecisionIn(Body):
    """Several findings of one 交办单 in one action: all of them or none."""

    finding_ids: list[Id] = Field(max_length=200, description="该交办单上的问题；任何一个不能办理时全部不办理")
    note: Note | None = Field(None, description="对每个问题记录的同一意见")


class EnforcementIn(Body):
    action: ActionKind
    departments: list[Code] = Field(max_length=20)
    decision_no: text(60) | None = None
    amount: Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=2)] | None = Field(
        None, description="罚款金额（元），仅用于 fine")
    note: Note | None = None


class ReferralFeedbackIn(Body):
    department_code: Code | None = Field(None, description="给出反馈的行业主管部门；主管部门本身登记时可省略（默认本部门）")
    action_taken: text(2000, 1, multiline=True) = Field(description="办理情况：采取了哪些措施")
    done_on: Day = Field(description="办理日期")
    reply_number: text(60) | None = Field(None, description="主管部门自己的反馈文号")


class ExposureItemIn(Body):
    unit_id: Id
    finding_ids: list[Id] = Field(max_length=200)


class ExposureDraftIn(Body):
    title: text(200, 1)
    items: list[ExposureItemIn] = Field(max_length=200)
    expires_on: Day | None = Field(None, description="公示截止日期（含当日）；缺省为不限")


class ExposureIn(ExposureDraftIn):
    draft: bool = Field(False, description="true 存为草稿；否则立即送审，由起草人以外的另一人审批后发布")


class ExposureExpiryIn(Body):
    expires_on: Day | None


class DocumentReasonIn(Body):
    """A reason, for revoking or re-issuing a document, taking an exposure down or returning it."""

    reason: Reason


class ServiceDetailsIn(Body):
    method: ServiceMethod = Field(description="direct 直接送达、left_at_premises 留置送达、post 邮寄送达、electronic 电子送达")
    served_on: Day = Field(description="送达日期：不晚于今天，不早于文书签发日期")
    place: text(300, 1) = Field(description="送达地点；邮寄送达为邮寄地址，电子送达为接收号码或地址")
    receiver: text(100) | None = Field(None, description="签收的受送达人；留置送达以外必填")
    witness: text(100) | None = Field(None, description="见证人；留置送达必填")
    left_reason: text(1000, multiline=True) | None = Field(None, description="留置理由（如拒绝签收）；留置送达必填")
    note: Note | None = None


class ServiceIn(ServiceDetailsIn):
    server: Username | None = Field(None, description="送达人的用户名；缺省为本人")
    photos: list[Id] = Field(default_factory=list, max_length=5, description="已上传、尚未关联的送达回证照片 id")


class ServiceCorrectionIn(ServiceDetailsIn):
    reason: Reason


# Query strings ---------------------------------------------------------------------------------------------

class PageQuery(Query):
    page: int = Field(1, ge=1, le=1_000_000)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


class HazardTypeQuery(PageQuery):
    category: text(40) | None = None
    sector: text(40) | None = None


class UnitQuery(PageQuery):
    region: text(20) | None = Field(None, description="乡镇（街道）或县（市、区）代码")
    q: text(100) | None = Field(None, description="按名称、统一社会信用代码或地址查找")
    status: UnitStatus | None = None


class WatchListQuery(Query):
    region: text(20) | None = Field(None, description="乡镇（街道）或县（市、区）代码")


class CaseQuery(PageQuery):
    stage: Stage | None = None
    status: CaseStatus | None = None
    region: text(20) | None = Field(None, description="乡镇（街道）或县（市、区）代码")
    overdue: Literal["true", "false"] | None = Field(None, description="是否有逾期未整改的问题")
    unit_id: Id | None = None


class AssignmentQuery(PageQuery):
    status: Literal["pending", "received", "completed"] | None = Field(
        None, description="从接收部门看：待签收、已签收待办结、已办结")
    department: text(40) | None = Field(None, description="接收部门代码")


class DocumentQuery(PageQuery):
    served: Literal["true", "false"] | None = Field(
        None, description="false：有效且须送达（提醒、约谈、执法建议）而未登记送达的文书；true：已登记送达的文书")
    kind: DocumentKind | None = None
    issued_before: Day | None = Field(None, description="签发日期早于该日（不含）")
    unit_id: Id | None = None
class ExtensionQuery(PageQuery):
    status: ExtensionStatus | None = None
    case_id: Id | None = None


class ExposureQuery(PageQuery):
    status: ExposureStatus | None = None


class TrainingQuery(PageQuery):
    kind: TrainingKind | None = None
    date_from: Day | None = Field(None, alias="from", description="起始日期（含）")
    date_to: Day | None = Field(None, alias="to", description="截止日期（含）")


class PlanQuery(PageQuery):
    status: PlanStatus | None = None


# Statistics (SPEC section 5): JSON, or the same figures as an .xlsx download --------------------------------

class StatsQuery(Query):
    format: Literal["json", "xlsx"] = Field("json", description="json，或 xlsx 下载（含“口径说明”表）")


class RegionStatsQuery(StatsQuery):
    region: text(20) | None = Field(None, description="县（市、区）或乡镇（街道）代码，限本辖区；缺省为本辖区（管理员、领导为全部）")


class PeriodQuery(RegionStatsQuery):
    date_from: Day | None = Field(None, alias="from", description="起始日期 YYYY-MM-DD（含）；缺省为截止日期当年1月1日")
    date_to: Day | None = Field(None, alias="to", description="截止日期 YYYY-MM-DD（含）；缺省为今天")


class RankingQuery(StatsQuery):
    month: text(7) | None = Field(None, description="月份 YYYY-MM；缺省为最近一个完整月份（上月）")
    region: text(20) | None = Field(None, description="县（市、区）代码；缺省为本人所在县（管理员、领导为全部）")


class OverdueQuery(RegionStatsQuery):
    limit: int = Field(50, ge=1, le=500, description="最多行数")
