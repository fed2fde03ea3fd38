"""The .xlsx exports, opened again with openpyxl and compared cell by cell."""

from datetime import date
from io import BytesIO

from openpyxl import load_workbook

from inspect_loop.stats import summary, township_ranking
from inspect_loop.stats.definitions import RANKING_COLUMNS, SUMMARY_FIGURES
from inspect_loop.stats.excel import (
    Column,
    display_width,
    table_workbook,
    workbook_for_ranking,
    workbook_for_summary,
)
from tests.helpers import at


def opened(content: bytes):
    return load_workbook(BytesIO(content))


def test_ranking_workbook(year):
    with at("2026-07-10"):
        ranking = township_ranking("2026-03")
        workbook = opened(workbook_for_ranking(ranking))
    assert workbook.sheetnames == ["2026-03月晾晒", "口径说明"]
    data = workbook["2026-03月晾晒"]
    assert [cell.value for cell in data[1]] == [header for _, header, _ in RANKING_COLUMNS]
    assert all(cell.font.bold for cell in data[1])
    assert data.freeze_panes == "A2"
    assert data.max_row == 3
    first = {header: cell.value for (_, header, _), cell in zip(RANKING_COLUMNS, data[2], strict=True)}
    assert (first["排名"], first["乡镇（街道）"], first["得分"], first["月末逾期问题数"], first["名次变化"]) \
        == (1, "马涧镇", 74, 2, None)
    second = [cell.value for cell in data[3]]
    assert second[:4] == [2, "330781001", "兰江街道", 55.5]
    rate_column = [key for key, _, _ in RANKING_COLUMNS].index("on_time_rate")
    assert data[2][rate_column].number_format == "0.00%"
    name_column = data.column_dimensions["C"].width
    assert name_column >= display_width("乡镇（街道）")

    definitions = workbook["口径说明"]
    rows = [(row[0].value, row[1].value) for row in definitions.iter_rows(min_row=1)]
    assert rows[0] == ("指标", "口径")
    assert rows[1] == ("排名月份", "2026-03（数据截至 2026-03-31）")
    assert rows[2][0] == "得分" and "缺席约谈单位每个扣 5 分" in rows[2][1]
    assert ("名次变化", "上月名次减本月名次（两月均只在受过督查的乡镇（街道）中排名）：正数为上升，负数为下降；"
                    "本月或上月未督查的为空。") in rows
    assert definitions.freeze_panes == "A2"


def test_summary_workbook_states_every_definition(year):
    with at("2026-07-10"):
        figures = summary(date(2026, 3, 1), date(2026, 6, 30), "330781001")
        workbook = opened(workbook_for_summary(figures))
    data = workbook["统计汇总"]
    assert [cell.value for cell in data[1]] == ["指标", "数值", "字段"]
    values = {row[2].value: row[1].value for row in data.iter_rows(min_row=2)}
    labels = {row[2].value: row[0].value for row in data.iter_rows(min_row=2)}
    assert values["interview_rounds"] == 2 and labels["interview_rounds"] == "约谈轮次"
    assert values["units_rectified_on_time"] == 2
    assert values["recurrence.units_recurred"] == 1 and values["recurrence.rate"] == 0.5
    assert values["exposures.problems_closed"] == 1
    assert values["on_time_rate"] == 0.75
    rate_row = next(row for row in data.iter_rows(min_row=2) if row[2].value == "on_time_rate")
    assert rate_row[1].number_format == "0.00%"
    assert len(values) == len(SUMMARY_FIGURES)

    definitions = {row[0].value: row[1].value for row in workbook["口径说明"].iter_rows(min_row=2)}
    assert definitions["统计期间"].startswith("2026-03-01 至 2026-06-30")
    assert definitions["统计区域"] == "兰江街道（330781001）"
    for _, label, text in SUMMARY_FIGURES:
        assert definitions[label] == text
    assert "同一隐患类型" in definitions["两个月内复发单位数"]


def test_table_workbook_fits_chinese_text_and_cleans_the_sheet_title(database):
    content = table_workbook("问题清单：2026/03 [县级]" + "很长" * 20, [Column("name", "单位"), ("list", "部门")],
                             [{"name": "兰溪市云山街道某某超市", "list": ["消防", "食品"]}], [("单位", "被检查单位")])
    workbook = opened(content)
    sheet = workbook.worksheets[0]
    assert len(sheet.title) == 31 and not set(sheet.title) & set("[]:*?/\\")
    assert sheet["A2"].value == "兰溪市云山街道某某超市" and sheet["B2"].value == "消防、食品"
    assert sheet.column_dimensions["A"].width == display_width("兰溪市云山街道某某超市") + 2 == 24
    assert workbook["口径说明"]["A2"].value == "单位"


def test_text_that_looks_like_a_formula_stays_text(database):
    content = table_workbook("单位", [Column("name", "名称")], [{"name": '=HYPERLINK("http://x","点我")'}], [])
    cell = opened(content)["单位"]["A2"]
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("http://x","点我")'
