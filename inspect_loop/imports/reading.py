"""Reading an uploaded spreadsheet: the first worksheet of an .xlsx workbook, or a .csv file in UTF-8 (with
or without BOM) or GBK/GB18030 (what Excel on a Chinese Windows saves), into numbered rows of cell values.

Row numbers are the spreadsheet's own (the header is normally row 1), so the error report points at the
line the office sees in Excel. Entirely blank rows are skipped.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import load_workbook

from inspect_loop.errors import InvalidInput

# Rows per file: a web upload is answered within a request (about 2 ms a row, so 5,000 rows take some ten
# seconds); the command line takes a whole county's places (Shaoxing keeps 40,000+) in one file.
WEB_MAX_ROWS = 5_000
MAX_DATA_ROWS = 50_000
XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls format
SUFFIXES = (".xlsx", ".csv")


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row number in the spreadsheet
    values: tuple  # raw cell values: str, int, float, date … or None


@dataclass(frozen=True)
class Table:
    header: SheetRow
    rows: list[SheetRow]


def refuse(message_zh: str, message_en: str) -> InvalidInput:
    return InvalidInput(message_zh, message_en, field="file")


def read_table(filename: str, content: bytes, max_rows: int = MAX_DATA_ROWS) -> Table:
    """The header row and the data rows of ``content``; an unreadable file, or one of more than ``max_rows``
    data rows, raises ``InvalidInput``."""
    name = (filename or "").lower()
    if content.startswith(OLE_MAGIC) or name.endswith(".xls"):
        raise refuse("不支持旧版 .xls 格式，请在Excel中另存为 .xlsx 或 .csv 后再导入",
                     "the old .xls format is not supported; save as .xlsx or .csv")
    if content.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(content)
    elif name.endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise refuse("请上传 .xlsx 或 .csv 文件", "upload an .xlsx or .csv file")
    return _table(rows, max_rows)


def _table(rows, max_rows: int) -> Table:
    header = None
    data = []
    for number, values in rows:
        if all(value is None or (isinstance(value, str) and not value.strip()) for value in values):
            continue
        if header is None:
            header = SheetRow(number, tuple(values))
            continue
        data.append(SheetRow(number, tuple(values)))
        if len(data) > max_rows:
            raise refuse(f"文件超过{max_rows}行数据，请拆分为多个文件分别导入",
                         f"the file has more than {max_rows} data rows; split it")
    if header is None:
        raise refuse("文件是空的：第一行应为列名", "the file is empty")
    if not data:
        raise refuse("文件只有列名，没有数据行", "the file has a header but no data rows")
    return Table(header, data)


def _xlsx_rows(content: bytes):
    # A damaged or hostile workbook can fail anywhere inside openpyxl and its XML parser, with many kinds of
    # exception; to the office every one of them means the same thing: this file cannot be read.
    unreadable = refuse("无法读取该Excel文件，请确认是 .xlsx 格式且未损坏、未加密", "the .xlsx file cannot be read")
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise unreadable from None
    try:
        yield from enumerate(workbook.worksheets[0].iter_rows(values_only=True), start=1)
    except Exception:
        raise unreadable from None
    finally:
        workbook.close()


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse("无法识别CSV文件的编码，请保存为 UTF-8 或 GBK 编码", "the CSV file is neither UTF-8 nor GBK")


def _csv_rows(content: bytes):
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from ((number, tuple(values)) for number, values in
                    enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1))
    except csv.Error:
        raise refuse("CSV文件格式有误（如引号不配对），请检查后重新保存", "the CSV file is malformed") from None


def cell_text(value) -> str:
    """A cell as the text a user typed: whole numbers without ".0", dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def lost_digits(value) -> bool:
    """A number too long for Excel to keep exactly (more than 15 digits): e.g. a USCC typed into a number
    cell, whose last digits Excel has already replaced with zeros."""
    return isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15
