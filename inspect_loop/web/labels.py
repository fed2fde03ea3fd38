"""What users read for each stored value: translatable labels of every enum the pages show.

``label(member)`` looks a member up by its enum class, since different enums share values ("open",
"shut_down"). Events get a sentence each in ``EVENT_LABELS``.
"""

import enum

from flask_babel import lazy_gettext as _l

from inspect_loop.cases.models import CaseStatus, Outcome, Stage
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.inspections.models import FindingStatus, InspectionKind, PlanStatus
from inspect_loop.letters.models import DocumentKind, DocumentStatus
from inspect_loop.regions.models import DepartmentKind, RegionLevel
from inspect_loop.units.models import UnitStatus
from inspect_loop.users.models import Role

LABELS: dict[type, dict] = {
    Role: {
        Role.admin: _l("系统管理员"), Role.safety_office: _l("县级平安办"),
        Role.township_office: _l("乡镇（街道）平安办"), Role.inspector: _l("暗访督查员"),
        Role.regulator: _l("行业主管部门"), Role.viewer: _l("领导（只读）"),
    },
    UnitStatus: {
        UnitStatus.operating: _l("正常经营"), UnitStatus.suspended: _l("停业整顿"),
        UnitStatus.shut_down: _l("已关停"), UnitStatus.banned: _l("已取缔"),
    },
    Stage: {Stage.reminder: _l("一次提醒"), Stage.warning: _l("二次警示"), Stage.enforcement: _l("三次执法")},
    CaseStatus: {CaseStatus.open: _l("进行中"), CaseStatus.closed: _l("已结案")},
    Outcome: {
        Outcome.rectified_at_reminder: _l("提醒后整改到位"), Outcome.rectified_after_warning: _l("警示后整改到位"),
        Outcome.rectified_after_enforcement: _l("执法后整改到位"), Outcome.shut_down: _l("关停"),
        Outcome.banned: _l("取缔"), Outcome.withdrawn: _l("撤销"),
    },
    FindingStatus: {FindingStatus.open: _l("整改中"), FindingStatus.closed: _l("已销号"),
                    FindingStatus.voided: _l("已终止")},
    InspectionKind: {
        InspectionKind.unannounced: _l("暗访"), InspectionKind.reinspection: _l("复查"),
        InspectionKind.follow_up: _l("回访"), InspectionKind.self_check: _l("主体自查"),
        InspectionKind.grid_patrol: _l("网格巡查"), InspectionKind.department: _l("部门检查"),
        InspectionKind.special: _l("专项督查"),
    },
    PlanStatus: {PlanStatus.planned: _l("待检查"), PlanStatus.done: _l("已完成"), PlanStatus.cancelled: _l("已取消")},
    Severity: {Severity.general: _l("一般"), Severity.major: _l("重大")},
    DayBasis: {DayBasis.calendar: _l("自然日"), DayBasis.working: _l("工作日")},
    DocumentKind: {
        DocumentKind.reminder: _l("整改提醒通知书"), DocumentKind.summons: _l("警示约谈通知书"),
        DocumentKind.assignment: _l("交办单"), DocumentKind.referral: _l("执法建议书"),
    },
    DocumentStatus: {DocumentStatus.valid: _l("有效"), DocumentStatus.superseded: _l("已被新版本替代"),
                     DocumentStatus.revoked: _l("已作废")},
    RegionLevel: {RegionLevel.county: _l("县（市、区）"), RegionLevel.township: _l("乡镇（街道）"),
                  RegionLevel.village: _l("村（社区）"), RegionLevel.grid: _l("网格")},
    DepartmentKind: {DepartmentKind.safety_office: _l("平安办"), DepartmentKind.regulator: _l("行业主管部门")},
    ActionKind: {
        ActionKind.joint_enforcement: _l("联合执法"), ActionKind.fine: _l("罚款"),
        ActionKind.suspend: _l("责令停业整顿"), ActionKind.shutdown: _l("关停"), ActionKind.ban: _l("取缔"),
    },
}

EVENT_LABELS = {
    "unit.created": _l("登记单位"),
    "inspection.recorded": _l("录入检查"),
    "case.open": _l("立案（一次提醒）"),
    "case.rectified_at_reminder": _l("复查整改到位，结案"),
    "case.fail_reinspection": _l("复查未整改，进入二次警示"),
    "case.escalate_to_warning": _l("手动升级为二次警示"),
    "case.escalate_to_enforcement": _l("手动升级为三次执法"),
    "case.fail_follow_up": _l("回访仍未整改，进入三次执法"),
    "case.rectified_after_warning": _l("警示后全部销号，结案"),
    "case.rectified_after_enforcement": _l("执法后全部销号，结案"),
    "case.shut_down": _l("关停，结案"),
    "case.ban": _l("取缔，结案"),
    "case.withdraw": _l("撤销案件"),
    "document.issued": _l("签发文书"),
    "document.reissued": _l("重新签发文书"),
    "document.revoked": _l("作废文书"),
    "document.superseded": _l("文书重新签发"),
    "summons.created": _l("通知参加警示约谈"),
    "summons.attended": _l("参加警示约谈"),
    "summons.absent": _l("未参加警示约谈"),
    "assignment.issued": _l("签发交办单（双交办）"),
    "assignment.received": _l("签收交办单"),
    "assignment.guidance": _l("业务指导"),
    "finding.rectification_reported": _l("报告整改"),
    "finding.signed_off": _l("主管部门签认整改"),
    "finding.sign_off_refused": _l("主管部门不予签认"),
    "finding.closed_out": _l("属地验收销号"),
    "enforcement.recorded": _l("实施执法"),
    "exposure.listed": _l("列入平安曝光"),
    "exposure.created": _l("建立平安曝光"),
    "exposure.published": _l("平安曝光发布"),
    "exposure.updated": _l("修改平安曝光草稿"),
    "exposure.discarded": _l("删除平安曝光草稿"),
    "exposure.expiry_set": _l("调整平安曝光截止日期"),
    "exposure.taken_down": _l("撤下平安曝光"),
    "plan.created": _l("制定暗访计划"),
    "round.convened": _l("组织警示约谈"),
    "round.participants": _l("登记约谈参加人次"),
    "region.created": _l("新建行政区划"),
    "department.created": _l("新建部门"),
    "hazard_type.created": _l("新增隐患类型"),
    "region.updated": _l("修改行政区划"),
    "department.updated": _l("修改部门"),
    "hazard_type.updated": _l("修改隐患类型"),
    "user.created": _l("新建用户"),
    "user.updated": _l("修改用户"),
    "user.enabled": _l("启用用户"),
    "user.disabled": _l("停用用户"),
    "user.password_changed": _l("修改密码"),
    "user.password_reset": _l("重置密码"),
    "user.token_issued": _l("签发API令牌"),
    "user.tokens_revoked": _l("吊销API令牌"),
    "user.signed_out": _l("退出登录（所有设备）"),
    "data.generated": _l("生成演示数据"),
}


# The three risk colours in words (a colour is never shown without its word).
RISK_WORDS = {"red": _l("红 · 高风险"), "yellow": _l("黄 · 中风险"), "green": _l("绿 · 低风险")}


def label(member) -> str:
    """The translated label of an enum member (its value when it has none)."""
    if member is None:
        return ""
    if isinstance(member, enum.Enum):
        labels = LABELS.get(type(member), {})
        return str(labels.get(member, member.value))
    return str(member)


def event_label(action: str) -> str:
    text = EVENT_LABELS.get(action)
    return str(text) if text is not None else action


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
