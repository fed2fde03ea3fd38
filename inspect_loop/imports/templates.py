"""The .xlsx template of each import: the header row to fill in, how to fill each column, and the codes a
column takes (regions for units, sectors for the hazard catalogue)."""

from io import BytesIO

from openpyxl import Workbook

from inspect_loop.imports.kinds import ImportKind, regions_for_template, sectors_for_template
from inspect_loop.regions.models import RegionLevel
from inspect_loop.stats.excel import WRAP, append_text_row, display_width, fit_columns, header_row
from inspect_loop.users.models import User

LEVEL_NAMES = {RegionLevel.township: "乡镇（街道）", RegionLevel.village: "村（社区）", RegionLevel.grid: "网格"}
TEXT = "@"  # Excel's "text" number format: digits typed stay as typed
RULES = [
    "第一行为列名，请勿修改；从第二行起每行填写一条。红色列名为必填。",
    "任何一行有错误时整个文件都不会导入；请按错误报告（行号、列名、原因）修改后重新导入。",
    "代码、统一社会信用代码、电话等列已设为文本格式，请勿改为数字格式，否则长数字会被Excel改动。",
    "也可另存为 CSV（UTF-8 或 GBK 编码）后导入；只读取第一个工作表。",
]


def _widths(sheet, rows: list[list[str]]) -> None:
    fit_columns(sheet, [max(display_width(row[index]) for row in rows if index < len(row))
                        for index in range(sheet.max_column)], minimum=8)


def template_workbook(kind: ImportKind, actor: User) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind.title
    header_row(sheet, [column.header for column in kind.columns], [column.required for column in kind.columns])
    _widths(sheet, [[column.header for column in kind.columns]])
    for index, column in enumerate(kind.columns):
        if column.text:
            sheet.column_dimensions[sheet.cell(row=1, column=index + 1).column_letter].number_format = TEXT

    guide = workbook.create_sheet("填写说明")
    header_row(guide, ["列名", "是否必填", "填写要求"])
    rows = [[column.header, "必填" if column.required else "选填", column.hint] for column in kind.columns]
    for row in rows:
        append_text_row(guide, row)
    guide.append([])
    for rule in RULES:
        guide.append(["说明", "", rule])
    for row in guide.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAP
    _widths(guide, [["列名", "是否必填", "填写要求"], *rows])

    if kind.name == "units":
        codes = workbook.create_sheet("区划代码")
        header_row(codes, ["区划代码", "名称", "层级", "上级"])
        listed = [[region.code, region.name, LEVEL_NAMES.get(region.level, region.level.value), region.parent.name if region.parent else ""]
                  for region in regions_for_template(actor)]
    else:
        codes = workbook.create_sheet("行业")
        header_row(codes, ["行业", "负责的行业主管部门"])
        listed = [list(row) for row in sectors_for_template()]
    for row in listed:
        append_text_row(codes, row)
    _widths(codes, [[cell.value for cell in codes[1]], *listed])

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
