"""Every transition of the ladder's table, from every state, allowed and refused."""

import itertools

import pytest

from inspect_loop.cases import ladder
from inspect_loop.cases.models import CaseStatus, Outcome, Stage
from inspect_loop.errors import Forbidden, InvalidInput, TransitionRefused
from inspect_loop.users.models import Role
from inspect_loop.users.permissions import MATRIX
from tests.factories import inspect
from tests.helpers import at

STATES = ["reminder", "warning", "enforcement", "closed"]
MOVES = [name for name, transition in ladder.TRANSITIONS.items() if transition.sources]
# What the operations that cause these transitions record with them (audit/events.py).
DETAILS = {"fail_reinspection": {"inspection_id": 1, "unrectified": [1]},
           "fail_follow_up": {"inspection_id": 1, "unrectified": [1]},
           "shut_down": {"enforcement_id": 1}, "ban": {"enforcement_id": 1}}


def case_in(county, state):
    with at("2026-03-02"):
        case = inspect(county, county.units.shop, "XF-01").findings[0].case
    if state == "closed":
        case.status, case.outcome = CaseStatus.closed, Outcome.withdrawn
    else:
        case.stage = Stage(state)
    return case


def actor_for(county, role):
    return {Role.admin: county.users.admin, Role.safety_office: county.users.office,
            Role.township_office: county.users.east, Role.inspector: county.users.inspector,
            Role.regulator: county.users.fire, Role.viewer: county.users.viewer}[role]


@pytest.mark.parametrize("name, state", list(itertools.product(MOVES, STATES)))
def test_each_transition_from_each_state(county, database, name, state):
    transition = ladder.TRANSITIONS[name]
    case = case_in(county, state)
    actor = actor_for(county, sorted(MATRIX[transition.action])[0])
    allowed = state != "closed" and Stage(state) in transition.sources
    if not allowed:
        with pytest.raises(TransitionRefused):
            ladder._apply(case, name, actor, reason="理由", **DETAILS.get(name, {}))
        assert (case.stage.value if state != "closed" else "closed") == state
        return
    ladder._apply(case, name, actor, reason="理由", **DETAILS.get(name, {}))
    if transition.target:
        assert case.stage == transition.target and case.status == CaseStatus.open
    else:
        assert case.status == CaseStatus.closed and case.outcome == transition.outcome


@pytest.mark.parametrize("name, role", list(itertools.product(MOVES, list(Role))))
def test_each_transition_for_each_role(county, database, name, role):
    transition = ladder.TRANSITIONS[name]
    case = case_in(county, sorted(transition.sources)[0].value)
    actor = actor_for(county, role)
    if role in MATRIX[transition.action]:
        ladder.check(case, name, actor, reason="理由")
    else:
        with pytest.raises(Forbidden):
            ladder.check(case, name, actor, reason="理由")


@pytest.mark.parametrize("name", [name for name, t in ladder.TRANSITIONS.items() if t.needs_reason])
def test_manual_transitions_need_a_reason(county, database, name):
    transition = ladder.TRANSITIONS[name]
    case = case_in(county, sorted(transition.sources)[0].value)
    with pytest.raises(InvalidInput) as refused:
        ladder.check(case, name, county.users.office, reason="")
    assert refused.value.field == "reason"


def test_skipping_a_stage_is_only_manual_escalation_by_the_county_office(county, database):
    case = case_in(county, "reminder")
    with pytest.raises(Forbidden):
        ladder.escalate(case, county.users.inspector, "重大隐患", to_stage=Stage.enforcement)
    ladder.escalate(case, county.users.office, "重大隐患，直接执法", to_stage=Stage.enforcement)
    assert case.stage == Stage.enforcement
