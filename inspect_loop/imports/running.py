"""Running an import: every row through its domain operation inside one transaction, all rows or none.

The header is matched to the kind's columns first (a misspelt or unknown column is an error, so no column's
data is ever silently dropped). Each row is then checked and saved — created, or updating the unit already in
the ledger — inside its own SAVEPOINT, so a refused row leaves no trace and the rows after it are still checked against everything before them (a USCC used
twice, a code already in the catalogue). When any row is bad the whole import is rolled back and the report
lists every bad row with its row number, column and message; nothing is written.
"""

import re
from dataclasses import dataclass, field

from inspect_loop.characters import refused_character
from inspect_loop.db import db
from inspect_loop.errors import DomainError
from inspect_loop.imports.kinds import ImportKind
from inspect_loop.imports.reading import Table, cell_text, lost_digits
from inspect_loop.users.models import User
from inspect_loop.users.permissions import require

# Marks people put on required headers: "单位名称*", "*单位名称", "单位名称（必填）".
HEADER_DECORATION = re.compile(r"^[*＊\s]+|[*＊\s]+$|[（(]\s*必填\s*[)）]")


@dataclass(frozen=True)
class RowError:
    row: int  # the spreadsheet's row number
    column: str  # the column's header, or "" for the row as a whole
    message_zh: str
    message_en: str

    def line(self) -> str:
        where = f"第{self.row}行" + (f"“{self.column}”" if self.column else "")
        return f"{where}：{self.message_zh}"


@dataclass
class ImportReport:
    kind: ImportKind
    rows: int = 0  # data rows in the file
    # What the good rows did (all 0 unless every row was good): new units or hazard types, units already in
    # the ledger updated, or found as they were.
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return self.created + self.updated + self.unchanged

    def summary_zh(self) -> str:
        return f"新建 {self.created} 条，更新 {self.updated} 条，无变化 {self.unchanged} 条"

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def bad_rows(self) -> int:
        return len({error.row for error in self.errors})


def header_key(text: str) -> str:
    return HEADER_DECORATION.sub("", text).strip().lower()


def match_header(kind: ImportKind, table: Table, report: ImportReport) -> list[str | None]:
    """The column key of each cell of the header row (None for an empty trailing cell)."""
    known = {}
    for column in kind.columns:
        known[header_key(column.header)] = column.key
        known[column.key] = column.key
    keys: list[str | None] = []
    row = table.header.number
    for value in table.header.values:
        text = cell_text(value)
        if not text:
            keys.append(None)
            continue
        key = known.get(header_key(text))
        if key is None:
            headers = "、".join(column.header for column in kind.columns)
            report.errors.append(RowError(row, text, f"无法识别的列名，可用的列名：{headers}",
                                          "This column name is unknown: use the column names of the template."))
        elif key in keys:
            report.errors.append(RowError(row, text, "列名重复", "This column appears twice."))
        keys.append(key)
    for column in kind.columns:
        if column.required and column.key not in keys:
            report.errors.append(RowError(row, column.header, "缺少必填列", "This required column is missing."))
    return keys


def row_values(kind: ImportKind, keys: list[str | None], raw: tuple, number: int,
               report: ImportReport) -> dict[str, str] | None:
    """The row's text per column key, or None after reporting what is wrong with its cells."""
    values = {column.key: "" for column in kind.columns}
    problems = []
    for key, value in zip(keys, raw, strict=False):
        if key is None:
            continue
        column = kind.column(key)
        text = cell_text(value)
        if column.text and lost_digits(value):
            problems.append(RowError(number, column.header, "数字过长，Excel已改动末几位；请把该列设为“文本”格式后重新填写",
                                     "Excel stored this long number as a number and changed its last digits: "
                                     "format the column as text and type it again."))
        elif len(text) > column.max_length:
            problems.append(RowError(number, column.header, f"不能超过{column.max_length}个字",
                                     f"At most {column.max_length} characters."))
        elif (found := refused_character(text)) is not None:
            problems.append(RowError(number, column.header, f"含有{found.description_zh}，请清空该单元格后重新填写",
                                     f"The cell contains {found.description_en}: clear it and type it again."))
        values[key] = text
    for column in kind.columns:
        if column.required and not values[column.key]:
            problems.append(RowError(number, column.header, "必填，不能为空", "Fill in this cell."))
    report.errors.extend(problems)
    return None if problems else values


def error_of(kind: ImportKind, number: int, error: DomainError) -> RowError:
    column = kind.column(error.field) if error.field else None
    return RowError(number, column.header if column else "", error.message_zh, error.message_en)


def run_import(kind: ImportKind, actor: User, table: Table) -> ImportReport:
    """Import ``table`` as ``actor``. Returns the report; when it has errors nothing of the import remains in
    the session. The caller commits (a good import) once, as every request and command does."""
    require(actor, kind.permission)
    report = ImportReport(kind, rows=len(table.rows))
    keys = match_header(kind, table, report)
    if report.errors:
        return report
    first_seen: dict[str, int] = {}
    whole = db.session.begin_nested()
    for sheet_row in table.rows:
        values = row_values(kind, keys, sheet_row.values, sheet_row.number, report)
        if values is None:
            continue
        unique = values[kind.unique].upper()
        if unique and unique in first_seen:
            column = kind.column(kind.unique)
            report.errors.append(RowError(sheet_row.number, column.header, f"与第{first_seen[unique]}行重复",
                                          f"This repeats row {first_seen[unique]}."))
            continue
        if unique:
            first_seen[unique] = sheet_row.number
        row_savepoint = db.session.begin_nested()
        try:
            done = kind.save(actor, values)
        except DomainError as error:
            row_savepoint.rollback()
            report.errors.append(error_of(kind, sheet_row.number, error))
        else:
            row_savepoint.commit()
            setattr(report, done, getattr(report, done) + 1)
    if report.errors:
        whole.rollback()
        report.created = report.updated = report.unchanged = 0
    else:
        whole.commit()
    return report
