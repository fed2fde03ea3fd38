"""Response models: every JSON answer is built as one of these and dumped, so the OpenAPI description of
the responses is the shape the API really sends. Times are ISO 8601 in local time (+08:00), dates YYYY-MM-DD.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from inspect_loop.assignments.models import RecipientRole
from inspect_loop.cases.models import CaseStatus, Outcome, Stage, StartReason
from inspect_loop.deadline_extensions.models import ExtensionStatus
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.exposures.models import ExposureStatus
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.inspections.models import CloseKind, FindingStatus, InspectionKind, PlanStatus
from inspect_loop.interviews.models import TrainingKind
from inspect_loop.letters.models import DocumentKind, DocumentStatus, ServiceMethod
from inspect_loop.regions.models import DepartmentKind, ExtensionDecider, RegionLevel
from inspect_loop.units.models import UnitStatus
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import Action

Item = TypeVar("Item")


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Page(Out, Generic[Item]):
    items: list[Item]
    total: int
    page: int
    per_page: int


class ErrorDetail(Out):
    code: str = Field(description="稳定的错误代码，如 invalid、not_found、transition_refused")
    message: str = Field(description="中文说明")
    message_en: str
    field: str | None = Field(None, description="出错的字段，如 findings.0.hazard_code")
    current: dict | None = Field(None, description="409 时：对象的当前状态（如案件的阶段），请求输给的那次变更")


class ErrorOut(Out):
    error: ErrorDetail


class RegionOut(Out):
    id: int
    code: str
    name: str
    level: RegionLevel
    parent_code: str | None


class DepartmentOut(Out):
    id: int
    code: str
    name: str
    kind: DepartmentKind
    region_code: str
    sectors: list[str]
    doc_prefix: str
    full_name: str
    address: str
    contact_person: str
    contact_phone: str
    enforcement_powers: bool


class HazardTypeOut(Out):
    id: int
    code: str
    category: str
    title: str
    sector: str
    severity: Severity
    rectify_days: int
    day_basis: DayBasis
    legal_basis: str


class UnitOut(Out):
    id: int
    name: str
    uscc: str | None
    address: str
    region_code: str
    township_code: str
    county_code: str
    category: str
    contact_name: str | None
    contact_phone: str | None
    status: UnitStatus
    risk_color: Literal["red", "yellow", "green", "closed"] = Field(
        description="三色：red 红、yellow 黄、green 绿；closed 已关停/取缔/注销（灰色，无风险颜色）")
    created_at: datetime
    deregistered_on: date | None = Field(None, description="注销日期（已注销的单位）")
    deregistration_reason: str | None = Field(None, description="注销原因（已注销的单位）")
    on_watch_list: bool = Field(description="是否在重点监管名单上")
    watch_list: "WatchListOut | None" = Field(
        None, description="重点监管名单的情况（仅 GET /units/{id}，且仅在名单上时）：列入原因、无新案件期限")


class WatchListEntryOut(Out):
    reason: str = Field(description="ban 被取缔、shutdown 被关停、recurrence 同类隐患两个月内复发、repeated_cases 一年内两次立案")
    reason_label: str
    case_id: int | None = Field(description="引起列入的案件")
    entered_on: date


class WatchListOut(Out):
    since: date = Field(description="列入名单之日（最早一条原因）")
    clean_since: date = Field(description="无新案件期限的起算日（最后一次列入或立案）")
    clean_months: int = Field(description="本县（市、区）设定的无新案件期限（月）")
    may_leave_from: date = Field(description="县级平安办最早可决定移出之日（另须无未结案件）")
    entries: list[WatchListEntryOut]


class WatchListedUnitOut(Out):
    unit_id: int
    unit_name: str
    township: str
    status: UnitStatus
    watch_list: WatchListOut


class WatchListPageOut(Out):
    total: int = Field(description="名单上的单位数")
    items: list[WatchListedUnitOut]


class HistoryRulesOut(Out):
    region_code: str
    region: str
    recurrence_opens_at_warning: bool = Field(description="两个月内同类隐患复发的新案件直接进入二次警示")
    watch_list_clean_months: int = Field(description="移出重点监管名单前须连续无新案件的月数")


class DeadlineOut(Out):
    deadline: date
    set_at: datetime
    assignment_id: int | None
    extension_id: int | None = Field(description="准予延期的申请")


class FindingOut(Out):
    id: int
    case_id: int | None = Field(description="即查即改且未立案的问题为 null")
    unit_id: int
    inspection_id: int
    hazard_code: str
    hazard_title: str
    category: str
    sector: str
    description: str
    severity: Severity
    found_on: date
    deadline: date
    deadlines: list[DeadlineOut] = Field(description="历次整改期限，最早的在前")
    status: FindingStatus
    overdue: bool
    first_reported_on: date | None
    signed_off: bool
    closed_on: date | None
    close_kind: CloseKind | None


class ServiceOut(Out):
    id: int
    document_id: int
    method: ServiceMethod
    method_label: str
    served_on: date
    place: str
    receiver: str | None
    witness: str | None
    left_reason: str | None
    note: str | None
    server: str = Field(description="送达人的用户名")
    recorded_at: datetime
    recorded_by: str
    corrected_at: datetime | None
    photo_ids: list[int]


class DocumentOut(Out):
    id: int
    kind: DocumentKind
    kind_label: str
    number: str
    version: int
    status: DocumentStatus
    unit_id: int
    case_id: int | None
    issuer_code: str
    issuer: str
    issued_at: datetime
    sha256: str
    size: int
    verify_url: str
    supersedes_id: int | None
    revoked_at: datetime | None
    revoke_reason: str | None
    needs_service: bool = Field(description="须送达并登记送达回证的文书（提醒、约谈、执法建议）")
    service: ServiceOut | None = Field(description="送达记录；未登记为 null")


class EventOut(Out):
    at: datetime
    action: str
    actor: str | None
    reason: str | None


class CaseBrief(Out):
    id: int
    unit_id: int
    stage: Stage
    status: CaseStatus
    outcome: Outcome | None


class ReferralFeedbackOut(Out):
    referral_number: str = Field(description="执法建议书文号")
    department_code: str
    department_name: str
    due_on: date = Field(description="反馈期限（签发后15个工作日）")
    overdue: bool = Field(description="已过反馈期限仍未反馈")
    recorded: bool
    action_taken: str | None
    done_on: date | None
    reply_number: str | None
    recorded_by: str | None
    recorded_at: datetime | None


class CaseOut(Out):
    id: int
    unit_id: int
    unit_name: str
    stage: Stage
    status: CaseStatus
    outcome: Outcome | None
    opened_at: datetime
    warning_at: datetime | None
    enforcement_at: datetime | None
    closed_at: datetime | None
    start_reason: StartReason | None = Field(
        description="立案即进入二次警示或三次执法的原因：recurrence 同类隐患两个月内复发，closed_unit_operating 关停或取缔后仍在经营；"
                    "一次提醒立案为 null")
    start_after_case_id: int | None = Field(description="该原因所指的此前案件")
    start_explanation: str | None = Field(description="立案阶段的说明（中文），如“因两个月内同类隐患复发（…），直接进入二次警示”")
    overdue: bool = Field(description="是否有逾期未整改的问题")
    findings: list[FindingOut]
    documents: list[DocumentOut]
    events: list[EventOut]
    referral_feedback: list[ReferralFeedbackOut] = Field(description="执法建议书各主送部门的办理反馈")


class VerifiedOut(Out):
    finding_id: int
    rectified: bool


class InspectionOut(Out):
    id: int
    unit_id: int
    case_id: int | None
    kind: InspectionKind
    inspected_at: datetime
    notes: str
    latitude: float | None
    longitude: float | None
    recorded_by: str
    team: list[str]
    findings: list[FindingOut]
    verified: list[VerifiedOut]
    case: CaseBrief | None
    documents: list[DocumentOut] = Field(description="本次检查签发的整改提醒通知书")


class PlanOut(Out):
    id: int
    unit_id: int
    unit_name: str
    planned_on: date
    kind: InspectionKind
    status: PlanStatus
    notes: str
    team: list[str]
    inspection_id: int | None
    created_at: datetime


class SummonsOut(Out):
    id: int
    round_id: int
    case_id: int
    unit_id: int
    unit_name: str
    attended: bool | None = Field(description="null：尚未登记到场情况")
    attendee_name: str | None
    attendee_title: str | None
    note: str | None
    recorded_at: datetime | None
    minutes: str | None = Field(description="约谈记录：单位说明的情况和作出的承诺；null：尚未填写")
    minutes_recorded_at: datetime | None
    commitment_photo_ids: list[int] = Field(description="责任书（承诺书）各页的照片 id")
    document: DocumentOut | None = Field(description="警示约谈通知书（最新版本）")


class TrainingOut(Out):
    id: int
    county_code: str
    township_code: str | None = Field(description="举办的乡镇（街道）教育站；null 为县（市、区）本级")
    held_on: date
    kind: TrainingKind
    topic: str
    organiser: str
    person_times: int = Field(description="到场人次（直播为观看人次），计入教育人次")
    created_at: datetime
    updated_at: datetime | None


class RoundOut(Out):
    id: int
    number: int
    year: int
    convened_by: str
    convened_by_name: str
    held_at: datetime
    held_on: date
    venue: str
    venue_address: str
    participants: int
    departments: list[str]
    summonses: list[SummonsOut]


class ReceiptOut(Out):
    department_code: str
    role: RecipientRole
    received_at: datetime
    received_by: str


class AssignmentOut(Out):
    id: int
    case_id: int
    unit_id: int
    unit_name: str
    regulator_code: str
    territorial_code: str
    deadline: date
    issued_at: datetime
    finding_ids: list[int]
    receipts: list[ReceiptOut]
    status: Literal["pending", "received", "completed"] = Field(
        description="从接收部门（或 department 参数所指部门）看的办理状态")
    document: DocumentOut | None


class RectificationOut(Out):
    id: int
    finding_id: int
    note: str
    reported_at: datetime
    reported_by: str
    photo_ids: list[int]
    finding: FindingOut
    case: CaseBrief


class SignOffOut(Out):
    id: int
    finding_id: int
    approved: bool
    note: str
    decided_at: datetime
    department_code: str
    finding: FindingOut
    case: CaseBrief


class CloseOutOut(Out):
    id: int
    finding_id: int
    note: str
    closed_at: datetime
    department_code: str
    finding: FindingOut
    case: CaseBrief


class SignOffsOut(Out):
    items: list[SignOffOut]


class CloseOutsOut(Out):
    items: list[CloseOutOut]


class EnforcementOut(Out):
    id: int
    case_id: int
    unit_id: int
    action: ActionKind
    decided_at: datetime
    decided_on: date
    decision_no: str | None
    amount: Decimal | None
    note: str
    departments: list[str]
    unit_status: UnitStatus
    case: CaseBrief


class FindingBrief(Out):
    id: int
    hazard_code: str
    hazard_title: str
    severity: Severity
    status: FindingStatus


class ExposureItemOut(Out):
    unit_id: int
    unit_name: str
    findings: list[FindingBrief]


class ExposureOut(Out):
    id: int
    title: str
    status: ExposureStatus
    created_at: datetime
    created_by_id: int = Field(description="起草人")
    submitted_at: datetime | None = Field(description="送审时间（退回后再次送审时更新）")
    submitted_by_id: int | None = Field(description="送审人")
    approved_by_id: int | None = Field(description="审批人（起草、送审人以外的另一人）")
    return_reason: str | None = Field(description="审批人退回修改的原因（草稿再次送审前保留）")
    published_at: datetime | None
    published_on: date | None
    expires_on: date | None
    items: list[ExposureItemOut]


class VerifiedFindingOut(Out):
    hazard_title: str = Field(description="文书印制的隐患名称")
    category: str = Field(description="文书印制的隐患类别")
    major: bool = Field(description="文书是否标为重大隐患")
    deadline: date = Field(description="文书印制的整改期限")
    status: FindingStatus | None = Field(description="该问题目前的状态")
    status_label: str | None
    deadline_now: date | None = Field(description="问题仍在整改且期限已变更（交办、延期）时的现行期限，否则为空")


class AppointmentOut(Out):
    held_at: datetime = Field(description="约谈通知书印制的约谈时间")
    venue: str = Field(description="约谈通知书印制的约谈地点")


class CurrentVersionOut(Out):
    number: str
    version: int
    verify_url: str = Field(description="该文号最新版本的核验地址")


class VerifyOut(Out):
    genuine: bool
    kind: DocumentKind | None = None
    kind_label: str | None = None
    title: str | None = Field(None, description="文书印制的标题，如 整改提醒通知书")
    number: str | None = None
    version: int | None = None
    issuer: str | None = None
    issued_at: datetime | None = None
    unit_name: str | None = None
    status: str | None = Field(None, description="文书无效时为 revoked、superseded，否则同 matter_status")
    status_label: str | None = None
    document_status: DocumentStatus | None = None
    matter_status: Literal["in_progress", "closed_out", "shut_down", "banned", "withdrawn"] | None = Field(
        None, description="事项现状：in_progress（办理中，阶段见 stage）、closed_out（已整改销号）、shut_down、banned、withdrawn")
    matter_label: str | None = Field(None, description="事项现状的中文，如 一次提醒·整改中、三次执法·依法查处中、已整改销号")
    stage: Stage | None = Field(None, description="办理中的案件目前所处阶段")
    deadlines: list[date] | None = Field(None, description="文书印制的整改期限（去重、升序）")
    findings: list[VerifiedFindingOut] | None = Field(None, description="文书印制的隐患，及各自现状")
    appointment: AppointmentOut | None = Field(None, description="约谈通知书印制的约谈时间和地点")
    printed_recorded: bool | None = Field(None, description="false：文书签发于系统保存印制内容之前，"
                                          "title、findings、deadlines 按目前的记录重建，可能与纸质文书不同")
    current_version: CurrentVersionOut | None = Field(None, description="本文书不是该文号的最新版本时，最新版本")
    sha256: str | None = None


class MeOut(Out):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    department: DepartmentOut | None
    permissions: list[Action]


class ExtensionItemOut(Out):
    finding_id: int
    hazard_title: str
    previous_deadline: date = Field(description="申请时（准予后：被替换）的整改期限")
    deadline: date = Field(description="问题现在的整改期限")


class ExtensionOut(Out):
    id: int
    case_id: int
    unit_id: int
    unit_name: str
    assignment_id: int | None
    stage: Stage
    status: ExtensionStatus
    status_label: str
    reason: str
    requested_deadline: date
    requested_at: datetime
    requested_by: str
    decider_code: str
    decider: str
    decided_at: datetime | None
    decided_by: str | None
    decision_reason: str | None
    granted_deadline: date | None
    findings: list[ExtensionItemOut]
    photo_ids: list[int]
    document: DocumentOut | None = Field(description="准予延期整改通知书")


class ExtensionDeciderOut(Out):
    region_code: str
    region: str
    decider: ExtensionDecider
    decider_label: str
