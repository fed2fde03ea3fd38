"""Refusals name things as the reader knows them: a stage by its label (in English from the catalogue), a
problem by its hazard, a case by its unit (docs/i18n.md "Refusal messages")."""

import pytest

from inspect_loop.assignments.operations import sign_off
from inspect_loop.cases import ladder, policy
from inspect_loop.cases.models import CaseStatus, Stage
from inspect_loop.clock import now
from inspect_loop.errors import TransitionRefused
from inspect_loop.inspections.models import FindingStatus
from inspect_loop.labels import en, event_en
from inspect_loop.letters.models import DocumentKind
from tests.factories import inspect
from tests.helpers import at


def test_english_labels_come_from_the_catalogue(app):
    with app.app_context():
        assert en(Stage.warning) == "Warning" and en(DocumentKind.referral) == "Enforcement recommendation"
        assert event_en("case.fail_follow_up") == "Still not rectified at follow-up; escalated to enforcement"


def test_a_step_the_ladder_does_not_allow_names_the_stage_and_the_step_in_both_languages(app):
    with app.app_context(), pytest.raises(TransitionRefused) as refusal:
        ladder.next_state(Stage.reminder, CaseStatus.open, "fail_follow_up", now())
    assert refusal.value.message_zh == "案件处于“一次提醒”阶段，不能“回访仍未整改，进入三次执法”"
    assert refusal.value.message_en == ("The case is at the Reminder stage, where “Still not rectified at follow-up; "
                                        "escalated to enforcement” is not possible.")


def test_a_case_is_named_by_its_unit_and_a_problem_by_its_hazard(county):
    with at("2026-03-02"):
        finding = inspect(county, county.units.shop, "XF-01").findings[0]
    unit, hazard = county.units.shop.name, finding.hazard_type.title
    with pytest.raises(TransitionRefused) as summons:
        policy.check_summonable(finding.case)
    assert summons.value.message_zh == f"“{unit}”的案件不在二次警示阶段，不能约谈"
    assert summons.value.message_en == (f"The case of “{unit}” is not at the Warning stage, so it cannot be summoned "
                                        "to an interview.")
    with pytest.raises(TransitionRefused) as refused:
        sign_off(county.users.fire, finding, approved=True)
    assert refused.value.message_zh == "一次提醒阶段的问题由复查直接核销，无需签认和销号"
    finding.status = FindingStatus.closed
    with pytest.raises(TransitionRefused) as late:
        policy.check_open_after_warning(finding)
    assert late.value.message_zh == f"问题“{hazard}”已不在整改中"
    assert late.value.message_en == f"“{hazard}” is no longer being rectified."
