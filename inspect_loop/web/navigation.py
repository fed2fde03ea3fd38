"""The menu of each role and the page each role lands on after login.

Pages add themselves here: append a ``NavItem`` to ``NAV_ITEMS`` (order = menu order) and, for a role's
start page, set ``HOME_ENDPOINTS[role]``. Items whose endpoint is not registered are left out, so a menu
never breaks on a page that is not there.
"""

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l

from inspect_loop.users.models import Role, User
from inspect_loop.users.permissions import Action, allowed


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string, translated when rendered
    action: Action | None = None  # shown when the role × action matrix allows it
    roles: frozenset[Role] | None = None  # or when the user's role is one of these


NAV_ITEMS: list[NavItem] = [
    NavItem("web.office_home", _l("工作台"), roles=frozenset({Role.admin, Role.safety_office})),
    NavItem("web.today", _l("今日任务"), roles=frozenset({Role.inspector, Role.admin, Role.safety_office})),
    NavItem("web.inbox", _l("交办单"), roles=frozenset({Role.regulator, Role.township_office})),
    NavItem("web.inbox_referrals", _l("执法建议书"), roles=frozenset({Role.regulator})),
    NavItem("web.units", _l("单位查询")),
    NavItem("web.watch_list", _l("重点监管名单"), roles=frozenset({Role.admin, Role.safety_office, Role.township_office,
                                                             Role.viewer})),
    NavItem("web.extensions", _l("延期整改"), roles=frozenset({Role.admin, Role.safety_office, Role.regulator,
                                                          Role.township_office})),
    NavItem("web.office_rounds", _l("警示约谈"), action=Action.convene_round),
    NavItem("web.training_sessions", _l("警示教育活动"), action=Action.record_training),
    NavItem("web.dashboard", _l("统计分析"), action=Action.view_stats),
    NavItem("web.ranking", _l("月晾晒"), action=Action.view_stats),
    NavItem("web.exposures_admin", _l("平安曝光"), action=Action.manage_exposures),
    NavItem("web.admin_home", _l("系统管理"), action=Action.manage_users),
]

# Where "/" sends each role; a role without an entry, or whose page is not registered, gets the unit search.
HOME_ENDPOINTS: dict[Role, str] = {
    Role.admin: "web.admin_home",
    Role.safety_office: "web.office_home",
    Role.inspector: "web.today",
    Role.regulator: "web.inbox",
    Role.township_office: "web.inbox",
    Role.viewer: "web.dashboard",
}
FALLBACK_HOME = "web.units"


def _shown(item: NavItem, user: User) -> bool:
    if item.endpoint not in current_app.view_functions:
        return False
    if item.action is None and item.roles is None:
        return True
    return bool((item.action and allowed(user, item.action)) or (item.roles and user.role in item.roles))


def menu_for(user: User) -> list[tuple[str, object, str]]:
    """(endpoint, label, url) of every menu item the user may open."""
    return [(item.endpoint, item.label, url_for(item.endpoint)) for item in NAV_ITEMS if _shown(item, user)]


def home_url(user: User) -> str:
    endpoint = HOME_ENDPOINTS.get(user.role, FALLBACK_HOME)
    if endpoint not in current_app.view_functions:
        endpoint = FALLBACK_HOME
    return url_for(endpoint)
