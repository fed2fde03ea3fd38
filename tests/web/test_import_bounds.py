"""An import's work is bounded by what the file holds, not by what it claims: a workbook declaring
``A1:XFD60000`` is read by its real rows, columns beyond the read ones cost nothing, and a workbook that
unpacks to far more XML than its rows need is refused before it is parsed."""

import re
import time
import zipfile
from io import BytesIO

from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.imports.reading import (
    MAX_COLUMNS,
    WEB_MAX_ROWS,
    XML_BYTES_FIXED,
    XML_BYTES_PER_ROW,
    read_table,
)
from inspect_loop.units.models import Unit
from tests.web.test_imports import UNIT_HEADER, csv_file, text_of, units_count, upload, xlsx_file

SHEET = "xl/worksheets/sheet1.xml"


def rewritten_sheet(content: bytes, rewrite) -> bytes:
    """The workbook ``content`` with its first sheet's XML passed through ``rewrite``."""
    source = zipfile.ZipFile(BytesIO(content))
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, rewrite(data) if item.filename == SHEET else data)
    return out.getvalue()


def claiming_a1_to_xfd60000(rows: list[list]) -> bytes:
    """``rows``, a declared dimension of A1:XFD60000 and one more cell at its far corner, XFD60000: a 5 KB
    file that cost 23 s to read when the declared width was believed (each row padded to 16,384 cells)."""
    def rewrite(xml: bytes) -> bytes:
        xml, declared = re.subn(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:XFD60000"/>', xml)
        assert declared == 1
        far_corner = b'<row r="60000"><c r="XFD60000" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace(b"</sheetData>", far_corner + b"</sheetData>")
    return rewritten_sheet(xlsx_file(rows), rewrite)


def shop_rows() -> list[list]:
    return [UNIT_HEADER, ["兰江副食品商店", "", "330781001", "兰江街道兰荫路2号", "商铺", "", ""]]


def test_a_workbook_claiming_a1_to_xfd60000_is_read_by_its_real_rows_within_two_seconds(login, county):
    content = claiming_a1_to_xfd60000(shop_rows())
    assert len(content) < 10_000
    started = time.perf_counter()
    table = read_table("units.xlsx", content, WEB_MAX_ROWS)
    assert time.perf_counter() - started < 2
    assert [row.number for row in table.rows] == [2]
    assert table.header.values == tuple(UNIT_HEADER) + (None,) * (MAX_COLUMNS - len(UNIT_HEADER))

    started = time.perf_counter()
    response = upload(login("root"), "/imports/units", content, "units.xlsx")
    assert time.perf_counter() - started < 2
    assert response.status_code == 302 and units_count() == 4
    assert db.session.scalar(select(Unit.address).where(Unit.name == "兰江副食品商店")) == "兰江街道兰荫路2号"


def test_a_workbook_unpacking_to_more_xml_than_its_rows_need_is_refused_before_parsing(login, county):
    """Two million copies of ``<row r="5"/>`` zip to about 50 KB and unpack to 24 MB, which openpyxl took 7 s
    to parse while yielding nothing."""
    content = rewritten_sheet(xlsx_file(shop_rows()),
                              lambda xml: xml.replace(b"</sheetData>", b'<row r="5"/>' * 2_000_000 + b"</sheetData>"))
    assert len(content) < 100_000
    limit = XML_BYTES_FIXED + XML_BYTES_PER_ROW * WEB_MAX_ROWS
    started = time.perf_counter()
    response = upload(login("root"), "/imports/units", content, "units.xlsx")
    assert time.perf_counter() - started < 1
    assert response.status_code == 400
    assert f"Excel文件解压后内容过多（超过{limit / (1024 * 1024):.1f}MB）" in text_of(response)
    assert "（超过5.9MB）" in text_of(response)
    assert units_count() == 3


def test_the_web_limit_leaves_room_for_its_rows_of_long_text(login, county):
    """The XML allowance is not tighter than real files: 5,000 rows of long Chinese text written inline."""
    rows = [UNIT_HEADER] + [[f"兰溪市兰江街道某某某某电子商务商行第{number}号门店", "", "330781001",
                             f"兰江街道某某路某某小区{number}幢{number}号商铺一楼", "商铺", "张三丰", "13800000001"]
                            for number in range(WEB_MAX_ROWS)]
    table = read_table("units.xlsx", xlsx_file(rows), WEB_MAX_ROWS)
    assert len(table.rows) == WEB_MAX_ROWS


def test_a_csv_row_is_read_up_to_the_column_limit(login, county):
    rows = shop_rows()
    rows[1] = rows[1] + [""] * 500_000 + ["far away"]
    started = time.perf_counter()
    table = read_table("units.csv", csv_file(rows), WEB_MAX_ROWS)
    assert time.perf_counter() - started < 2
    assert len(table.rows[0].values) == MAX_COLUMNS and table.rows[0].values[0] == "兰江副食品商店"
