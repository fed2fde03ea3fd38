"""Refusals read as sentences a user understands, in both languages (docs/i18n.md "Refusal messages").

The source is read with ``ast``: every call of ``DomainError`` or a subclass (and of the few helpers that pass
their arguments on as the two messages) gives its Chinese and English message; an f-string is judged by its
constant parts and by what it interpolates. API clients read ``code`` and ``field``, never the text, so the
text is free to be written for people.
"""

import ast
import re
from pathlib import Path

import inspect_loop
from inspect_loop.labels import ENUM_LABELS

PACKAGE = Path(inspect_loop.__file__).parent
ERRORS = {"DomainError", "InvalidInput", "NotFound", "Forbidden", "TransitionRefused", "Conflict"}
# The API's refusals of a request's shape (no Authorization header, a JSON field pydantic refuses) speak to the
# client's developer about headers and JSON fields; no page shows them.
API_REQUEST_ERRORS = {"Unauthenticated", "RequestInvalid"}
# Helpers that pass two of their arguments on as a refusal's Chinese and English message: where the Chinese
# one is. A row of an import's report (RowError) is read like a refusal.
MESSAGE_HELPERS = {"refuse": 0, "_refuse": 0, "RowError": 2}
# Keyword arguments that are pieces of an English refusal (the name of the field in a sentence).
ENGLISH_FRAGMENTS = {"label_en"}

# ASCII words a Chinese message may contain: names of file formats and things users know by these letters.
CHINESE_MAY_CONTAIN = {"PDF", "QR", "Excel", "ID", "API", "xlsx", "xls", "csv", "CSV", "UTF", "GBK", "MB", "JPEG", "PNG",
                       "WebP", "GB"}
# A command-line option, in the messages of the commands that take it (the data generator's --county).
COMMAND_OPTION = re.compile(r"--[a-z][a-z-]*")

SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")
ENUM_VALUES = {member.value for enum_class in ENUM_LABELS for member in enum_class}
# "must be general or major", "goes to warning or enforcement": a choice between stored values.
ENUM_CHOICE = re.compile(r"\b(?:be|to|is|are|as) ([a-z_]+) or ([a-z_]+)\b")
# Interpolations that print a stored token instead of its name: raw enum values, department codes, and the
# name of the form field itself.
RAW_INTERPOLATION = re.compile(r"\.value\b|\.code\b|^field$|^transition\.name$")
PLACEHOLDER = "9"


class Message:
    def __init__(self, path: Path, line: int, node: ast.expr):
        self.where = f"{path.relative_to(PACKAGE.parent)}:{line}"
        self.text = "".join(PLACEHOLDER if not isinstance(part, ast.Constant) else part.value
                            for part in (node.values if isinstance(node, ast.JoinedStr) else [node]))
        self.interpolated = [ast.unparse(part.value) for part in getattr(node, "values", [])
                             if isinstance(part, ast.FormattedValue)]

    def __repr__(self):
        return f"{self.where}: {self.text!r}"


def _is_text(node) -> bool:
    return isinstance(node, ast.JoinedStr) or isinstance(node, ast.Constant) and isinstance(node.value, str)


def _module_constants(tree: ast.Module) -> dict[str, ast.expr]:
    return {target.id: statement.value for statement in tree.body if isinstance(statement, ast.Assign)
            for target in statement.targets if isinstance(target, ast.Name)}


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _message_arguments(call: ast.Call, constants: dict[str, ast.expr], first: int) -> list[ast.expr]:
    arguments = []
    for argument in call.args:
        if isinstance(argument, ast.Starred) and isinstance(argument.value, ast.Name):
            constant = constants.get(argument.value.id)
            arguments.extend(constant.elts if isinstance(constant, ast.Tuple) else [])
        else:
            arguments.append(argument)
    return arguments[first:first + 2]


def collect() -> tuple[list[Message], list[Message], list[Message]]:
    """The Chinese and the English messages of every refusal in the package, and the English fragments."""
    chinese, english, fragments = [], [], []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = _module_constants(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = _called_name(node)
            if name in ERRORS or name in MESSAGE_HELPERS:
                arguments = _message_arguments(node, constants, MESSAGE_HELPERS.get(name, 0))
                if len(arguments) == 2:
                    zh_text, en_text = arguments
                    if _is_text(zh_text):
                        chinese.append(Message(path, node.lineno, zh_text))
                    if _is_text(en_text):
                        english.append(Message(path, node.lineno, en_text))
            fragments.extend(Message(path, node.lineno, keyword.value) for keyword in node.keywords
                             if keyword.arg in ENGLISH_FRAGMENTS and _is_text(keyword.value))
    return chinese, english, fragments


CHINESE, ENGLISH, FRAGMENTS = collect()


def test_every_kind_of_refusal_is_read():
    bases = {node.name: {ast.unparse(base) for base in node.bases} for path in PACKAGE.rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.ClassDef)}
    refusals = {"DomainError"}
    while new := {name for name, of in bases.items() if of & refusals} - refusals:
        refusals |= new
    assert refusals == ERRORS | API_REQUEST_ERRORS


def test_the_walk_finds_the_refusals():
    assert len(CHINESE) > 200 and len(ENGLISH) > 200
    assert any("请填写办理情况" == message.text for message in CHINESE)


def english_faults(message: Message, sentence: bool = True) -> list[str]:
    """What makes an English refusal (``sentence``) or a piece of one read like an API message."""
    text, faults = message.text, []
    if sentence and not (text[:1].isupper() or text[:1] in (PLACEHOLDER, "“")):
        faults.append("starts without a capital letter")
    if sentence and text.rstrip(")”").rstrip()[-1:] not in (".", "?"):
        faults.append("ends without a full stop")
    if not sentence and not text[:1].isupper():
        faults.append("a field's name that starts a sentence starts without a capital letter")
    if SNAKE_CASE.search(text):
        faults.append("names an identifier")
    if any(left in ENUM_VALUES and right in ENUM_VALUES for left, right in ENUM_CHOICE.findall(text)):
        faults.append("offers stored values as the choice")
    if any(RAW_INTERPOLATION.search(value) for value in message.interpolated):
        faults.append("prints a stored token")
    return faults


def chinese_faults(message: Message) -> list[str]:
    faults = []
    foreign = set(re.findall(r"[A-Za-z][A-Za-z_]*", COMMAND_OPTION.sub("", message.text))) - CHINESE_MAY_CONTAIN
    if foreign:
        faults.append(f"holds the ASCII words {sorted(foreign)}")
    if any(RAW_INTERPOLATION.search(value) for value in message.interpolated):
        faults.append("prints a stored token")
    return faults


def test_english_refusals_are_sentences_without_identifiers_or_stored_values():
    faulty = {repr(message): faults for message in ENGLISH if (faults := english_faults(message))}
    faulty |= {repr(message): faults for message in FRAGMENTS if (faults := english_faults(message, sentence=False))}
    assert faulty == {}


def test_chinese_refusals_are_chinese():
    assert {repr(message): faults for message in CHINESE if (faults := chinese_faults(message))} == {}


def _messages(source: str) -> list[Message]:
    return [Message(PACKAGE / "example.py", 1, argument) for call in ast.walk(ast.parse(source))
            if isinstance(call, ast.Call) for argument in call.args]


def test_the_rules_catch_api_messages_and_let_sentences_pass():
    bad = _messages('InvalidInput("action_taken 为必填", "action_taken is required")\n'
                    'InvalidInput("等级应为general或major", "severity must be general or major")\n'
                    'TransitionRefused(f"案件处于{stage.value}阶段", f"Case {case_id} is at stage {stage.value}.")\n'
                    'InvalidInput("请填写", f"{field} must be a date.")')
    assert all(english_faults(message) for message in bad[1::2])
    assert all(chinese_faults(message) for message in bad[0:6:2])
    good = _messages('InvalidInput("请填写办理情况", "Describe what was done.")\n'
                     'InvalidInput("等级应为“一般”或“重大”", "The severity must be 一般 (general) or 重大 (major).")\n'
                     'InvalidInput(f"{label}：请上传PDF或Excel文件", f"{label_en}: upload a PDF or Excel file.")')
    assert not any(english_faults(message) for message in good[1::2])
    assert not any(chinese_faults(message) for message in good[0::2])
