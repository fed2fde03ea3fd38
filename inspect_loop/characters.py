"""The one rule for the characters of stored text: no control characters, and none of the invisible
formatting characters that reorder or hide text.

A name or note holding one is not what it shows: a bidi override (U+202E) shows what follows it in reverse
order (the "Trojan Source" trick), a zero-width space makes two usernames or unit names that look the same,
a direction mark hides in an official notice. Some cannot even be kept: PostgreSQL refuses NUL, and an .xlsx
file (XML 1.0) cannot hold most C0 controls, so one such unit name made every export of its county fail.

Refused: every control character (C0, DEL, C1), every format character (Unicode category Cf: the bidi
embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, the marks U+200E, U+200F, U+061C,
zero-width spaces and joiners, U+FEFF, soft hyphens, tag characters …), the line and paragraph separators
U+2028/U+2029 and lone surrogates. Multi-line fields (notes, reasons, descriptions) may hold line breaks and
tabs, and the zero-width joiner (U+200D) that phone keyboards put inside emoji such as "construction worker,
male"; nothing else.

The web forms (``web/posted_text.py``), the API's request models (``api/schemas.py``), the imports
(``imports/running.py``) and usernames (``users/operations.py``) all ask ``refused_character``.
"""

import unicodedata
from dataclasses import dataclass

from inspect_loop.errors import InvalidInput

LINE_BREAKS_AND_TAB = frozenset("\t\n\r")
ZERO_WIDTH_JOINER = "\u200d"
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


@dataclass(frozen=True)
class RefusedCharacter:
    character: str

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"

    @property
    def kind(self) -> tuple[str, str]:
        """What it is, in Chinese and English."""
        category = unicodedata.category(self.character)
        if self.character in LINE_BREAKS_AND_TAB:
            return "换行符或制表符", "a line break or tab"
        if self.character in BIDI_CONTROLS:
            return "文字方向控制字符", "a bidirectional formatting character"
        if category == "Cc":
            return "控制字符", "a control character"
        if category in ("Zl", "Zp"):
            return "特殊换行符", "a Unicode line or paragraph separator"
        if category == "Cs":
            return "无效字符", "an invalid character (lone surrogate)"
        return "不可见的格式字符", "an invisible formatting character"

    @property
    def description_zh(self) -> str:
        return f"{self.kind[0]}（{self.code}）"

    @property
    def description_en(self) -> str:
        return f"{self.kind[1]} ({self.code})"


def refused_character(text: str, *, multiline: bool = False) -> RefusedCharacter | None:
    """The first character of ``text`` that stored text may not hold, or None."""
    if text.isprintable():  # the usual case, at C speed: no character of any refused category
        return None
    for character in text:
        if multiline and (character in LINE_BREAKS_AND_TAB or character == ZERO_WIDTH_JOINER):
            continue
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            return RefusedCharacter(character)
    return None


def check_text(text: str, *, field: str, label: str, label_en: str, multiline: bool = False) -> None:
    """Refuse ``text`` (InvalidInput naming ``field``) when it holds a refused character."""
    found = refused_character(text, multiline=multiline)
    if found is not None:
        raise InvalidInput(f"{label}含有{found.description_zh}，请清空后重新输入",
                           f"{label_en} contains {found.description_en}: clear it and type it again.", field=field)


# A telephone number as offices write it: 0579-88881234, (0579)88881234, 0579-88881234转8001, two numbers
# separated by 、 or a comma. Full-width digits, hyphen and plus (a Chinese input method's) become ASCII.
PHONE_CHARACTERS = frozenset("0123456789+-() （）转、，,/")
FULL_WIDTH_PHONE = str.maketrans("０１２３４５６７８９－＋", "0123456789-+")
PHONE_MIN_DIGITS = 5


def normalise_phone(text: str, *, field: str, label: str, label_en: str) -> str:
    """``text`` as a stored telephone number (trimmed, ASCII digits), or "" when empty; refused (InvalidInput
    naming ``field``) when it holds anything but digits and the marks numbers are written with, or when it
    has fewer digits than any real number (a local number has seven or eight, a hotline five)."""
    text = (text or "").strip().translate(FULL_WIDTH_PHONE)
    if not text:
        return ""
    wrong = next((character for character in text if character not in PHONE_CHARACTERS), None)
    if wrong is not None:
        raise InvalidInput(f"{label}只能填写数字及“-”“（）”“转”“、”等号码符号，不能含“{wrong}”",
                           f"{label_en} may hold only digits and the marks of telephone numbers (- ( ) 、), not “{wrong}”.",
                           field=field)
    if sum(character.isdigit() for character in text) < PHONE_MIN_DIGITS:
        raise InvalidInput(f"{label}不完整：至少{PHONE_MIN_DIGITS}位数字", f"{label_en} is incomplete: it needs at least {PHONE_MIN_DIGITS} digits.",
                           field=field)
    return text
