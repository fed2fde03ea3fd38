"""Refusals name things as the reader knows them: a stage by its label (in English from the catalogue), a
problem by its hazard, a case by its unit (docs/i18n.md "Refusal messages")."""

import ast
from pathlib import Path

import pytest

import inspect_loop
from inspect_loop.assignments.operations import sign_off
from inspect_loop.cases import ladder, policy
from inspect_loop.cases.models import CaseStatus, Stage
from inspect_loop.clock import now
from inspect_loop.errors import TransitionRefused
from inspect_loop.inspections.models import FindingStatus
from inspect_loop.labels import en, english, event_en
from inspect_loop.letters.models import DocumentKind
from inspect_loop.regions.operations import LABELS_EN
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


# Functions that name a form field in their refusals by a Chinese label, and where that label is among their
# arguments: the English refusal reads the label's translation (``labels.english``) or its LABELS_EN name.
LABELLED = {"parse_day": 2, "parse_local_datetime": 2, "parse_count": 2, "query_day": 1, "posted_date": 1,
            "_text": 3, "_optional_text": 3}


def _labels_passed(path: Path) -> set[str]:
    labels = set()
    for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id in LABELLED:
            position = LABELLED[call.func.id]
            if len(call.args) > position and isinstance(call.args[position], ast.Constant):
                labels.add(call.args[position].value)
    return labels


def test_every_field_a_refusal_names_has_an_english_name(app):
    package = Path(inspect_loop.__file__).parent
    web_labels = set().union(*(_labels_passed(path) for path in (package / "web").glob("*.py")))
    assert {"送达日期", "整改期限", "约谈时间"} <= web_labels
    with app.app_context():
        assert [label for label in web_labels if english(label) == label] == []
    catalogue_labels = _labels_passed(package / "regions" / "operations.py")
    assert "隐患名称" in catalogue_labels and catalogue_labels <= set(LABELS_EN)
