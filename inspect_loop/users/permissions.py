"""The role × action matrix. Every operation checks it; ``docs/permissions.md`` is generated from it.

Row scoping (a township office only in its township, a regulator only for its sectors, plans secret to
their team) is checked by the operations themselves, with the helpers at the bottom of this module.
"""

import enum

from inspect_loop.errors import Forbidden
from inspect_loop.regions.models import DepartmentKind, Region, RegionLevel
from inspect_loop.users.models import Role, User


class Action(enum.StrEnum):
    view_cases = "view_cases"
    plan_inspection = "plan_inspection"
    record_inspection = "record_inspection"
    verify_rectification = "verify_rectification"
    escalate = "escalate"
    withdraw = "withdraw"
    convene_round = "convene_round"
    record_attendance = "record_attendance"
    record_training = "record_training"
    issue_assignment = "issue_assignment"
    receive_assignment = "receive_assignment"
    report_rectification = "report_rectification"
    sign_off = "sign_off"
    close_out = "close_out"
    record_enforcement = "record_enforcement"
    record_referral_feedback = "record_referral_feedback"
    request_extension = "request_extension"
    decide_extension = "decide_extension"
    configure_extensions = "configure_extensions"
    configure_history_rules = "configure_history_rules"
    decide_watch_list_exit = "decide_watch_list_exit"
    manage_exposures = "manage_exposures"
    approve_exposures = "approve_exposures"
    revoke_document = "revoke_document"
    serve_document = "serve_document"
    correct_service = "correct_service"
    manage_units = "manage_units"
    resume_unit = "resume_unit"
    deregister_unit = "deregister_unit"
    manage_catalogue = "manage_catalogue"
    manage_users = "manage_users"
    view_stats = "view_stats"


ALL_ROLES = frozenset(Role)
COUNTY = frozenset({Role.admin, Role.safety_office})

MATRIX: dict[Action, frozenset[Role]] = {
    Action.view_cases: ALL_ROLES,
    Action.plan_inspection: COUNTY,
    Action.record_inspection: frozenset({Role.admin, Role.safety_office, Role.township_office, Role.inspector,
                                         Role.regulator}),
    # 复查 and 回访 decide whether a case closes or climbs the ladder: the inspection teams' and the county
    # office's call, never the regulators' (they sign off) or the township offices' (they close out).
    Action.verify_rectification: frozenset({Role.admin, Role.safety_office, Role.inspector}),
    Action.escalate: COUNTY,
    Action.withdraw: COUNTY,
    Action.convene_round: COUNTY,
    Action.record_attendance: COUNTY,
    # 警示教育活动 (voluntary sessions, live streams) at the county's stations: the county office keeps their record.
    Action.record_training: COUNTY,
    Action.issue_assignment: COUNTY,
    Action.receive_assignment: frozenset({Role.regulator, Role.township_office}),
    Action.report_rectification: frozenset({Role.admin, Role.safety_office, Role.township_office, Role.inspector}),
    Action.sign_off: frozenset({Role.regulator}),
    Action.close_out: frozenset({Role.township_office}),
    Action.record_enforcement: COUNTY,
    # The regulator a 执法建议书 is addressed to answers it; the county office records a reply sent on paper.
    Action.record_referral_feedback: frozenset({Role.admin, Role.safety_office, Role.regulator}),
    # 延期: the township office asks for its unit; the county office or the sector's regulator decides, as the
    # county configures (deadline_extensions.operations.decider_for) — the operation checks which one.
    Action.request_extension: frozenset({Role.township_office}),
    Action.decide_extension: frozenset({Role.admin, Role.safety_office, Role.regulator}),
    Action.configure_extensions: COUNTY,
    # The county office's rules for a unit's history (a recurrence opens at 二次警示, the clean period) and its
    # decision to take a unit off the 重点监管名单 (watch_list/operations.py).
    Action.configure_history_rules: COUNTY,
    Action.decide_watch_list_exit: COUNTY,
    Action.manage_exposures: COUNTY,
    # 审批平安曝光: a leader of the county office, who logs in with the office's role; the operation refuses
    # whoever wrote or submitted the exposure (second person, docs/decisions.md).
    Action.approve_exposures: COUNTY,
    Action.revoke_document: COUNTY,
    # 送达: the inspector who handed a notice over on site, the unit's township office, the county office; which
    # notice each may record is checked by ``letters.service.require_server``.
    Action.serve_document: frozenset({Role.admin, Role.safety_office, Role.township_office, Role.inspector}),
    Action.correct_service: COUNTY,
    Action.manage_units: frozenset({Role.admin, Role.safety_office, Role.township_office}),
    # 复业 lifts a suspension the county office decided at 三次执法; 注销 ends inspections of the place for good:
    # both are the county office's decisions, not the township's ledger keeping.
    Action.resume_unit: COUNTY,
    Action.deregister_unit: COUNTY,
    Action.manage_catalogue: frozenset({Role.admin}),
    Action.manage_users: frozenset({Role.admin}),
    Action.view_stats: frozenset({Role.admin, Role.safety_office, Role.township_office, Role.regulator,
                                  Role.viewer}),
}

ACTION_LABELS = {
    Action.view_cases: ("查看闭环案件", "view cases"),
    Action.plan_inspection: ("制定暗访计划", "plan unannounced inspections"),
    Action.record_inspection: ("录入检查", "record inspections"),
    Action.verify_rectification: ("核验整改（复查、回访）", "verify rectification (re-inspection, follow-up)"),
    Action.escalate: ("手动升级", "escalate a case"),
    Action.withdraw: ("撤销案件", "withdraw a case"),
    Action.convene_round: ("组织约谈", "convene an interview round"),
    Action.record_attendance: ("登记约谈到场", "record attendance"),
    Action.record_training: ("登记警示教育活动", "record education sessions"),
    Action.issue_assignment: ("签发交办单", "issue an assignment order"),
    Action.receive_assignment: ("签收交办单", "acknowledge an assignment order"),
    Action.report_rectification: ("报告整改", "report rectification"),
    Action.sign_off: ("业务签认", "sign off a rectification"),
    Action.close_out: ("验收销号", "close out a problem"),
    Action.record_enforcement: ("登记执法", "record enforcement"),
    Action.record_referral_feedback: ("登记执法建议书办理反馈", "record feedback on an enforcement recommendation"),
    Action.request_extension: ("申请延期整改", "request an extension of a deadline"),
    Action.decide_extension: ("审批延期申请", "decide an extension request"),
    Action.configure_extensions: ("设置延期审批部门", "configure who decides extensions"),
    Action.configure_history_rules: ("设置复发提级和重点监管名单规则", "configure the rules of a unit's history"),
    Action.decide_watch_list_exit: ("决定移出重点监管名单", "take a unit off the watch list"),
    Action.manage_exposures: ("平安曝光", "manage exposures"),
    Action.approve_exposures: ("审批平安曝光", "approve exposures"),
    Action.revoke_document: ("作废文书", "revoke a document"),
    Action.serve_document: ("登记文书送达", "record the service of a notice"),
    Action.correct_service: ("更正送达记录", "correct a record of service"),
    Action.manage_units: ("管理单位", "manage units"),
    Action.resume_unit: ("办理单位复业", "lift a unit's suspension"),
    Action.deregister_unit: ("注销单位", "deregister a unit"),
    Action.manage_catalogue: ("管理区划、部门、隐患目录", "manage regions, departments and the hazard catalogue"),
    Action.manage_users: ("管理用户", "manage users"),
    Action.view_stats: ("查看统计", "view statistics"),
}


def allowed(actor: User, action: Action) -> bool:
    return actor.active and actor.role in MATRIX[action]


def require(actor: User, action: Action) -> None:
    if not allowed(actor, action):
        zh, en = ACTION_LABELS[action]
        raise Forbidden(f"当前角色无权{zh}", f"Your role may not {en}.")


def township_id_of(actor: User) -> int | None:
    """The township a township-office user is confined to."""
    department = actor.department
    if actor.role == Role.township_office and department is not None:
        return department.region_id
    return None


def county_id_of(actor: User) -> int | None:
    """The county a county safety-office user is confined to."""
    department = actor.department
    if actor.role == Role.safety_office and department is not None:
        return department.region_id
    return None


def home_region(actor: User) -> Region | None:
    """The region a reader is confined to: a township office's township, a county office's or a regulator's
    county; None for the roles that read everywhere (administrator, inspection teams, leaders)."""
    if actor.role not in (Role.township_office, Role.safety_office, Role.regulator):
        return None
    if actor.department is None:  # never everywhere by a missing department
        raise Forbidden("该账号未指定所属部门，请联系管理员", "Your account belongs to no department; ask the administrator to set it.")
    level = RegionLevel.township if actor.role == Role.township_office else RegionLevel.county
    return actor.department.region.ancestor(level)


def home_county(actor: User) -> Region | None:
    """The county of a reader's home region (a township office's county too)."""
    home = home_region(actor)
    return home.ancestor(RegionLevel.county) if home is not None else None


def require_in_township(actor: User, township_id: int) -> None:
    scope = township_id_of(actor)
    if actor.role == Role.township_office and scope != township_id:
        raise Forbidden("只能处理本乡镇（街道）的单位", "You may act only on units of your own township.")


def require_in_county(actor: User, county_id: int) -> None:
    scope = county_id_of(actor)
    if actor.role == Role.safety_office and scope != county_id:
        raise Forbidden("只能处理本县（市、区）的单位", "You may act only on units of your own county.")


def require_regulator_of(actor: User, sector: str, county_id: int) -> None:
    department = actor.department
    if (department is None or department.kind != DepartmentKind.regulator or sector not in department.sectors
            or department.region.ancestor(RegionLevel.county).id != county_id):
        raise Forbidden(f"只有负责“{sector}”行业的主管部门可以签认", f"Only the regulator of the sector “{sector}” may sign this off.")


def require_in_area(actor: User, unit) -> None:
    """The unit lies where the actor works: a township office's township, a county office's or a regulator's
    county (inspection teams and the administrator go anywhere)."""
    require_in_township(actor, unit.township_id)
    require_in_county(actor, unit.county_id)
    department = actor.department
    if actor.role == Role.regulator and (department is None or department.region_id != unit.county_id):
        raise Forbidden("只能处理本县（市、区）的单位", "You may act only on units of your own county.")
