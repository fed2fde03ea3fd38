"""The password policy: at least 10 characters, none of the 30,000 most common passwords (any case), not a
few characters repeated, not containing the username."""

import pytest

from inspect_loop.users.passwords import common_passwords, password_problem

COMMON = "密码过于常见，请换一个"


def test_the_common_list_holds_at_least_ten_thousand_passwords():
    assert len(common_passwords()) >= 10_000


@pytest.mark.parametrize("password", [
    # from deep in the list (ranks 25,000 and beyond), in any case
    "warhammer40k", "MorganStanley", "1234567890qwerty", "nevergiveup", "rockbottom", "lovezp1314",
    # and near its top
    "1qaz2wsx3edc", "Password123",
])
def test_a_common_password_is_refused_in_any_case(password):
    assert password_problem(password) == COMMON


@pytest.mark.parametrize("password", ["woaini1314", "5201314520", "pinganban1"])
def test_the_common_passwords_of_chinese_leak_lists_are_refused_too(password):
    assert password_problem(password) == COMMON


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1212121212", "abcabcabcabc"])
def test_a_few_characters_repeated_are_refused(password):
    assert password_problem(password) == COMMON


def test_short_passwords_and_the_username_inside_are_refused_and_a_good_one_passes():
    assert password_problem("short1") == "密码至少10位"
    assert password_problem("xx-inspector-2026", "Inspector") == "密码不能包含用户名"
    assert password_problem("Lanxi-field-2026", "inspector") is None
