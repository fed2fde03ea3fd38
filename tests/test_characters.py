"""The one rule for the characters of stored text (``inspect_loop/characters.py``)."""

import pytest

from inspect_loop.characters import check_text, normalise_phone, refused_character
from inspect_loop.errors import InvalidInput

REFUSED_EVERYWHERE = {
    "\x00": "控制字符", "\x01": "控制字符", "\x1b": "控制字符", "\x7f": "控制字符", "\x85": "控制字符",
    "\x9f": "控制字符",
    "\u202a": "文字方向控制字符", "\u202e": "文字方向控制字符", "\u2066": "文字方向控制字符", "\u2069": "文字方向控制字符",
    "\u200e": "文字方向控制字符", "\u200f": "文字方向控制字符", "\u061c": "文字方向控制字符",
    "\u200b": "不可见的格式字符", "\ufeff": "不可见的格式字符", "\u00ad": "不可见的格式字符", "\U000e0041": "不可见的格式字符",
    "\u2028": "特殊换行符", "\u2029": "特殊换行符", "\ud800": "无效字符",
}


@pytest.mark.parametrize("character", list(REFUSED_EVERYWHERE))
@pytest.mark.parametrize("multiline", [False, True])
def test_controls_and_invisible_formatting_are_refused_in_every_field(character, multiline):
    found = refused_character(f"某某商行{character}1号", multiline=multiline)
    assert found is not None and found.character == character
    assert found.description_zh == f"{REFUSED_EVERYWHERE[character]}（U+{ord(character):04X}）"


@pytest.mark.parametrize("character", ["\t", "\n", "\r", "\u200d"])
def test_line_breaks_tabs_and_the_emoji_joiner_only_in_multi_line_fields(character):
    text = f"现场检查{character}发现问题"
    assert refused_character(text, multiline=True) is None
    assert refused_character(text).character == character


@pytest.mark.parametrize("text", ["兰溪市平安办", "某某商行（兰江街道）", "Zhang San", "a\u3000b", "a\u00a0b", "㐀𠀀龘",
                                  "\ue000生僻字", "整改完成👍", "é", ""])
def test_ordinary_text_passes(text):
    assert refused_character(text) is None


def test_check_text_names_the_field_in_both_languages():
    with pytest.raises(InvalidInput) as refusal:
        check_text("ad\u202emin", field="username", label="用户名", label_en="The username")
    assert refusal.value.field == "username"
    assert refusal.value.message_zh == "用户名含有文字方向控制字符（U+202E），请清空后重新输入"
    assert "U+202E" in refusal.value.message_en
    check_text("admin", field="username", label="用户名", label_en="The username")


@pytest.mark.parametrize("typed, stored", [
    ("0579-88901234", "0579-88901234"), (" （0579）88901234 ", "（0579）88901234"),
    ("0579-88901234转8001", "0579-88901234转8001"), ("０５７９－８８９０１２３４", "0579-88901234"),
    ("0579-88901234、13900000000", "0579-88901234、13900000000"), ("+86 579 8890 1234", "+86 579 8890 1234"),
    ("12345", "12345"), ("", ""), ("   ", ""),
])
def test_a_phone_number_keeps_the_marks_numbers_are_written_with(typed, stored):
    assert normalise_phone(typed, field="contact_phone", label="联系电话", label_en="contact_phone") == stored


@pytest.mark.parametrize("typed, message", [
    ("0579-8890abcd", "不能含“a”"), ("请拨0579-88901234", "不能含“请”"), ("1234", "至少5位数字"),
    ("0579\u200b88901234", "不能含"), ("--（）--", "至少5位数字"),
])
def test_anything_else_in_a_phone_number_is_refused_naming_the_field(typed, message):
    with pytest.raises(InvalidInput) as refusal:
        normalise_phone(typed, field="contact_phone", label="联系电话", label_en="contact_phone")
    assert message in refusal.value.message_zh and refusal.value.field == "contact_phone"
