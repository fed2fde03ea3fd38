"""The one catalogue of what people read for stored values: every enum member, every kind of audit event and
so every transition of the ladder (``case.<name>``).

The texts are the Chinese originals. Notices and the domain's refusals print them as they are (``zh``); the
pages translate them on display (``web/labels.py``), so each text is marked with ``N_`` for the English
catalogue (docs/i18n.md). A refusal's English message takes them from that catalogue (``en``). An enum is
looked up by its class: different enums share values ("open", "shut_down").
"""

import enum
import functools

from babel.support import NullTranslations, Translations
from flask import current_app, has_app_context

from inspect_loop.cases.models import CaseStatus, Outcome, Stage, StartReason
from inspect_loop.deadline_extensions.models import ExtensionStatus
from inspect_loop.enforcement.models import ActionKind
from inspect_loop.hazards.models import DayBasis, Severity
from inspect_loop.inspections.models import CloseKind, FindingStatus, InspectionKind, PlanStatus
from inspect_loop.interviews.models import TrainingKind
from inspect_loop.letters.models import DocumentKind, DocumentStatus, ServiceMethod
from inspect_loop.regions.models import DepartmentKind, ExtensionDecider, RegionLevel
from inspect_loop.units.models import UnitStatus
from inspect_loop.users.models import Role
from inspect_loop.watch_list.models import WatchReason


def N_(text: str) -> str:
    """Marks a Chinese text for the English catalogue; it is translated where a page shows it."""
    return text


ENUM_LABELS: dict[type[enum.Enum], dict] = {
    TrainingKind: {TrainingKind.voluntary: N_("到站教育培训"), TrainingKind.live_stream: N_("线上直播")},
    Role: {
        Role.admin: N_("系统管理员"), Role.safety_office: N_("县级平安办"),
        Role.township_office: N_("乡镇（街道）平安办"), Role.inspector: N_("暗访督查员"),
        Role.regulator: N_("行业主管部门"), Role.viewer: N_("领导（只读）"),
    },
    UnitStatus: {
        UnitStatus.operating: N_("正常经营"), UnitStatus.suspended: N_("停业整顿"),
        UnitStatus.shut_down: N_("已关停"), UnitStatus.banned: N_("已取缔"),
        UnitStatus.deregistered: N_("已注销"),
    },
    Stage: {Stage.reminder: N_("一次提醒"), Stage.warning: N_("二次警示"), Stage.enforcement: N_("三次执法")},
    CaseStatus: {CaseStatus.open: N_("进行中"), CaseStatus.closed: N_("已结案")},
    Outcome: {
        Outcome.rectified_at_reminder: N_("提醒后整改到位"), Outcome.rectified_after_warning: N_("警示后整改到位"),
        Outcome.rectified_after_enforcement: N_("执法后整改到位"), Outcome.shut_down: N_("关停"),
        Outcome.banned: N_("取缔"), Outcome.withdrawn: N_("撤销"),
    },
    FindingStatus: {FindingStatus.open: N_("整改中"), FindingStatus.closed: N_("已销号"),
                    FindingStatus.voided: N_("已终止")},
    CloseKind: {CloseKind.verified: N_("复查核销"), CloseKind.closed_out: N_("验收销号"),
                CloseKind.on_the_spot: N_("即查即改")},
    InspectionKind: {
        InspectionKind.unannounced: N_("暗访"), InspectionKind.reinspection: N_("复查"),
        InspectionKind.follow_up: N_("回访"), InspectionKind.self_check: N_("主体自查"),
        InspectionKind.grid_patrol: N_("网格巡查"), InspectionKind.department: N_("部门检查"),
        InspectionKind.special: N_("专项督查"),
    },
    PlanStatus: {PlanStatus.planned: N_("待检查"), PlanStatus.done: N_("已完成"), PlanStatus.cancelled: N_("已取消")},
    Severity: {Severity.general: N_("一般"), Severity.major: N_("重大")},
    DayBasis: {DayBasis.calendar: N_("自然日"), DayBasis.working: N_("工作日")},
    DocumentKind: {
        DocumentKind.reminder: N_("整改提醒通知书"), DocumentKind.summons: N_("警示约谈通知书"),
        DocumentKind.assignment: N_("交办单"), DocumentKind.referral: N_("执法建议书"),
        DocumentKind.extension: N_("准予延期整改通知书"),
    },
    DocumentStatus: {DocumentStatus.valid: N_("有效"), DocumentStatus.superseded: N_("已被新版本替代"),
                     DocumentStatus.revoked: N_("已作废")},
    ServiceMethod: {ServiceMethod.direct: N_("直接送达"), ServiceMethod.left_at_premises: N_("留置送达"),
                    ServiceMethod.post: N_("邮寄送达"), ServiceMethod.electronic: N_("电子送达")},
    RegionLevel: {RegionLevel.county: N_("县（市、区）"), RegionLevel.township: N_("乡镇（街道）"),
                  RegionLevel.village: N_("村（社区）"), RegionLevel.grid: N_("网格")},
    ExtensionStatus: {ExtensionStatus.pending: N_("待审批"), ExtensionStatus.approved: N_("准予延期"),
                      ExtensionStatus.refused: N_("不予延期")},
    StartReason: {StartReason.recurrence: N_("同类隐患两个月内复发"),
                  StartReason.closed_unit_operating: N_("关停或取缔后仍在经营（非法经营）")},
    WatchReason: {WatchReason.ban: N_("被取缔"), WatchReason.shutdown: N_("被关停"),
                  WatchReason.recurrence: N_("同类隐患两个月内复发"),
                  WatchReason.repeated_cases: N_("一年内两次立案")},
    ExtensionDecider: {ExtensionDecider.county_office: N_("县级平安办审批"),
                       ExtensionDecider.regulator: N_("行业主管部门审批")},
    DepartmentKind: {DepartmentKind.safety_office: N_("平安办"), DepartmentKind.regulator: N_("行业主管部门")},
    ActionKind: {
        ActionKind.joint_enforcement: N_("联合执法"), ActionKind.fine: N_("罚款"),
        ActionKind.suspend: N_("责令停业整顿"), ActionKind.shutdown: N_("关停"), ActionKind.ban: N_("取缔"),
    },
}

# One sentence per kind of audit event (``audit/events.py`` has their schemas); ``case.<name>`` are the
# transitions of the ladder (``cases/ladder.py``), which take their names from here.
EVENT_LABELS = {
    "unit.created": N_("登记单位"),
    "unit.updated": N_("修改单位信息"),
    "unit.resumed": N_("复业（解除停业整顿）"),
    "unit.deregistered": N_("注销单位"),
    "inspection.recorded": N_("录入检查"),
    "case.open": N_("立案（一次提醒）"),
    "case.open_at_warning": N_("同类隐患两个月内复发，立案即进入二次警示"),
    "case.open_at_enforcement": N_("已关停或取缔的单位仍在经营（非法经营），立案即进入三次执法"),
    "case.rectified_at_reminder": N_("复查整改到位，结案"),
    "case.fail_reinspection": N_("复查未整改，进入二次警示"),
    "case.escalate_to_warning": N_("提级进入二次警示"),
    "case.escalate_to_enforcement": N_("提级进入三次执法"),
    "case.fail_follow_up": N_("回访仍未整改，进入三次执法"),
    "case.rectified_after_warning": N_("警示后全部销号，结案"),
    "case.rectified_after_enforcement": N_("执法后全部销号，结案"),
    "case.shut_down": N_("关停，结案"),
    "case.ban": N_("取缔，结案"),
    "case.withdraw": N_("撤销案件"),
    "document.issued": N_("签发文书"),
    "document.reissued": N_("重新签发文书"),
    "document.revoked": N_("作废文书"),
    "document.superseded": N_("文书重新签发"),
    "document.served": N_("登记文书送达"),
    "document.service_corrected": N_("更正文书送达记录"),
    "summons.created": N_("通知参加警示约谈"),
    "summons.attended": N_("参加警示约谈"),
    "summons.absent": N_("未参加警示约谈"),
    "assignment.issued": N_("签发交办单（双交办）"),
    "assignment.received": N_("签收交办单"),
    "assignment.guidance": N_("业务指导"),
    "finding.rectification_reported": N_("报告整改"),
    "finding.signed_off": N_("主管部门签认整改"),
    "finding.sign_off_refused": N_("主管部门不予签认"),
    "finding.closed_out": N_("属地验收销号"),
    "extension.requested": N_("申请延期整改"),
    "extension.approved": N_("准予延期整改"),
    "extension.refused": N_("不予延期整改"),
    "region.extension_decider": N_("设置延期审批部门"),
    "region.history_rules": N_("设置复发提级和重点监管名单规则"),
    "watch_list.entered": N_("列入重点监管名单"),
    "watch_list.left": N_("移出重点监管名单"),
    "enforcement.recorded": N_("实施执法"),
    "referral.feedback": N_("登记执法建议书办理反馈"),
    "exposure.listed": N_("列入平安曝光"),
    "exposure.created": N_("建立平安曝光"),
    "exposure.published": N_("平安曝光发布"),
    "exposure.submitted": N_("平安曝光送审"),
    "exposure.returned": N_("平安曝光退回修改"),
    "exposure.updated": N_("修改平安曝光草稿"),
    "exposure.discarded": N_("删除平安曝光草稿"),
    "exposure.expiry_set": N_("调整平安曝光截止日期"),
    "exposure.taken_down": N_("撤下平安曝光"),
    "plan.created": N_("制定暗访计划"),
    "round.convened": N_("组织警示约谈"),
    "round.participants": N_("登记约谈参加人次"),
    "summons.minutes": N_("填写约谈记录"),
    "summons.commitment": N_("上传责任书（承诺书）"),
    "training.recorded": N_("登记警示教育活动"),
    "training.updated": N_("修改警示教育活动"),
    "region.created": N_("新建行政区划"),
    "department.created": N_("新建部门"),
    "hazard_type.created": N_("新增隐患类型"),
    "region.updated": N_("修改行政区划"),
    "department.updated": N_("修改部门"),
    "hazard_type.updated": N_("修改隐患类型"),
    "user.created": N_("新建用户"),
    "user.updated": N_("修改用户"),
    "user.enabled": N_("启用用户"),
    "user.disabled": N_("停用用户"),
    "user.password_changed": N_("修改密码"),
    "user.password_reset": N_("重置密码"),
    "user.token_issued": N_("签发API令牌"),
    "user.tokens_revoked": N_("吊销API令牌"),
    "user.signed_out": N_("退出登录（所有设备）"),
    "data.generated": N_("生成演示数据"),
}


def zh(member) -> str:
    """The Chinese label of an enum member (its value when it has none; "" for None)."""
    if member is None:
        return ""
    if isinstance(member, enum.Enum):
        return ENUM_LABELS.get(type(member), {}).get(member, member.value)
    return str(member)


def event_zh(action: str) -> str:
    return EVENT_LABELS.get(action, action)


@functools.cache
def _english_catalogue(directories: str) -> NullTranslations:
    for directory in directories.split(";"):
        catalogue = Translations.load(directory, ["en"])
        if isinstance(catalogue, Translations):
            return catalogue
    return NullTranslations()


def english(text: str) -> str:
    """``text`` from the English catalogue, whatever the reader's language: a refusal carries both messages."""
    if not text or not has_app_context():
        return text
    return _english_catalogue(current_app.config["BABEL_TRANSLATION_DIRECTORIES"]).gettext(text)


def en(member) -> str:
    """The English label of an enum member (for the English message of a refusal)."""
    return english(zh(member)) if isinstance(member, enum.Enum) else zh(member)


def event_en(action: str) -> str:
    return english(event_zh(action))
