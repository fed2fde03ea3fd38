"""Excel (.xlsx) exports: a data sheet and a "口径说明" sheet stating what each figure means."""

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from inspect_loop.stats.definitions import BREAKDOWNS, N_, RANKING_COLUMNS, SUMMARY_FIGURES, UNSUPERVISED

DEFINITIONS_SHEET = "口径说明"
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C00000")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
WRAP = Alignment(wrap_text=True, vertical="top")
MAX_COLUMN_WIDTH = 60
PERCENT = "0.00%"
# Sheet titles may not hold these characters and are at most 31 long.
FORBIDDEN_IN_TITLE = str.maketrans({character: "_" for character in "[]:*?/\\"})
UNWRITABLE = "\ufffd"  # the replacement character, in place of what a workbook cannot hold


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    # A format for every cell of the column (e.g. PERCENT), or a function of the row giving one.
    number_format: str | Callable[[dict], str | None] | None = None

    def format_for(self, row: dict) -> str | None:
        return self.number_format(row) if callable(self.number_format) else self.number_format


def display_width(value) -> int:
    """Width in Excel character units: CJK and other wide characters take two."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def fit_columns(sheet, widths: list[int], minimum: int = 6) -> None:
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width, minimum) + 2, MAX_COLUMN_WIDTH)


def header_row(sheet, headers: list[str], required: list[bool] | None = None) -> None:
    """A bold, shaded, frozen first row; ``required`` columns in red (import templates)."""
    append_text_row(sheet, headers)
    for index, cell in enumerate(sheet[1]):
        cell.font = REQUIRED_FONT if required and required[index] else HEADER_FONT
        cell.fill = HEADER_FILL
    sheet.freeze_panes = "A2"


def writable(value):
    """A value an .xlsx file can hold. XML 1.0 has no C0 control characters, and openpyxl refuses them: text
    stored before the character rule (``inspect_loop/characters.py``), or a search typed with one, shows
    U+FFFD there instead of failing the whole export."""
    return ILLEGAL_CHARACTERS_RE.sub(UNWRITABLE, value) if isinstance(value, str) else value


def append_text_row(sheet, values: list) -> None:
    """Append a row whose text stays text: openpyxl stores text starting with "=" as a live formula, and a
    unit or region named "=HYPERLINK(…)" must not become one in an office's workbook. Every row of every
    workbook goes through here."""
    sheet.append([writable(value) for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


def table_workbook(title: str, columns: list[Column | tuple], rows: list[dict],
                   definitions: list[tuple[str, str]], notes: list[tuple[str, str]] = ()) -> bytes:
    """One data sheet (bold, frozen header; widths fitted to Chinese text) and the 口径说明 sheet.

    ``columns`` name the row keys to export, in order; ``definitions`` are (figure, definition) pairs;
    ``notes`` (e.g. the period and region) head the 口径说明 sheet.
    """
    columns = [column if isinstance(column, Column) else Column(*column) for column in columns]
    workbook = Workbook()
    data = workbook.active
    data.title = (title.translate(FORBIDDEN_IN_TITLE) or "数据")[:31]
    header_row(data, [column.header for column in columns])
    widths = [display_width(column.header) for column in columns]
    for row in rows:
        append_text_row(data, [_cell_value(row.get(column.key)) for column in columns])
        for index, column in enumerate(columns):
            cell = data.cell(row=data.max_row, column=index + 1)
            number_format = column.format_for(row)
            if number_format:
                cell.number_format = number_format
            widths[index] = max(widths[index], display_width(cell.value))
    fit_columns(data, widths)

    sheet = workbook.create_sheet(DEFINITIONS_SHEET)
    header_row(sheet, ["指标", "口径"])
    for name, text in [*notes, *definitions]:
        append_text_row(sheet, [name, text])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    fit_columns(sheet, [max([display_width("指标"), *(display_width(name) for name, _ in [*notes, *definitions])]),
                         MAX_COLUMN_WIDTH])

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell_value(value):
    return "、".join(str(item) for item in value) if isinstance(value, list | tuple) else value


def flatten(figures: dict, prefix: str = "") -> dict:
    """Nested figures as one level, keys joined with a dot (``recurrence.rate``)."""
    flat = {}
    for key, value in figures.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def _period_notes(period: dict) -> list[tuple[str, str]]:
    region = period.get("region")
    return [("统计期间", f"{period['from']} 至 {period['to']}（含首尾两日，按各事项自身日期计）"),
            ("统计区域", f"{region['name']}（{region['code']}）" if region else "全部")]


def workbook_for_summary(figures: dict) -> bytes:
    """The summary as rows of 指标 / 数值 / 字段, with each figure's definition on the second sheet."""
    flat = flatten({key: value for key, value in figures.items() if key != "period"})
    rows = [{"label": label, "value": flat[key], "key": key} for key, label, _ in SUMMARY_FIGURES if key in flat]
    percent_for_rates = lambda row: PERCENT if row["key"].endswith("rate") else None  # noqa: E731
    return table_workbook(
        "统计汇总", [Column("label", "指标"), Column("value", "数值", percent_for_rates), Column("key", "字段")], rows,
        [(label, definition) for _, label, definition in SUMMARY_FIGURES], notes=_period_notes(figures["period"]))


def workbook_for_breakdown(name: str, rows: list[dict], period: dict | None = None) -> bytes:
    """One of the tables in ``definitions.BREAKDOWNS`` (trend, categories, sectors, risk, overdue)."""
    title, columns = BREAKDOWNS[name]
    return table_workbook(title, [Column(key, header, PERCENT if key.endswith("rate") else None)
                                  for key, header, _ in columns], rows,
                          [(header, definition) for _, header, definition in columns],
                          notes=_period_notes(period) if period else ())


def weight_text(key: str, value: float) -> str:
    if key == "late_rectification":
        return f"当月销号问题中未按时整改的比例 × {value:g} 分（按时整改率每低1个百分点扣 {value / 100:g} 分）"
    return f"{WEIGHT_LABELS[key]}每个扣 {value:g} 分"


def workbook_for_ranking(ranking: dict) -> bytes:
    """月晾晒 rows with the meaning of every column and the weights of the score."""
    columns = [Column(key, header, PERCENT if key == "on_time_rate" else None) for key, header, _ in RANKING_COLUMNS]
    notes = [("排名月份", f"{ranking['month']}（数据截至 {ranking['as_of']}）"),
             ("得分", "100 分起扣：" + "；".join(weight_text(key, value) for key, value in ranking["weights"].items())
              + f"。{SCALE_TEXT}详见 docs/ranking.md。")]
    # An unsupervised township's score cell says so; its rank and change stay empty.
    rows = [row if row["supervised"] else {**row, "score": UNSUPERVISED} for row in ranking["rows"]]
    return table_workbook(f"{ranking['month']}月晾晒", columns, rows,
                          [(header, definition) for _, header, definition in RANKING_COLUMNS], notes=notes)


SCALE_TEXT = "按个数扣分的各项按每百家在营单位计（扣分 × 100 ÷ 在营单位数），不足100家的按100家计。"
WEIGHT_LABELS = {
    "general_finding": N_("督查发现一般隐患"),
    "major_finding": N_("督查发现重大隐患"),
    "overdue": N_("月末逾期问题"),
    "warning": N_("进入二次警示案件"),
    "absent": N_("缺席约谈单位"),
    "enforcement": N_("进入三次执法案件"),
}
