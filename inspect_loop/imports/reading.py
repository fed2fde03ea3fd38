"""Reading an uploaded spreadsheet: the first worksheet of an .xlsx workbook, or a .csv file in UTF-8 (with
or without BOM) or GBK/GB18030 (what Excel on a Chinese Windows saves), into numbered rows of cell values.

Row numbers are the spreadsheet's own (the header is normally row 1), so the error report points at the
line the office sees in Excel. Entirely blank rows are skipped.

The work is bounded by what the file really holds, not by what it claims: a workbook's declared dimension
(``A1:XFD60000`` costs a billion empty cells when believed) is ignored; only the first ``MAX_COLUMNS``
columns are read (the templates have at most 8; like cells beyond the header's last column, they are no import's
data); reading stops at the row limit; and the XML a workbook unpacks to is limited before any of it is
parsed (a few KB of zip can unpack to hundreds of MB of rows).
"""

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from openpyxl import load_workbook

from inspect_loop.errors import InvalidInput

# Rows per file: a web upload is answered within a request (about 2 ms a row, so 5,000 rows take some ten
# seconds); the command line takes a whole county's places (Shaoxing keeps 40,000+) in one file.
WEB_MAX_ROWS = 5_000
MAX_DATA_ROWS = 50_000
MAX_COLUMNS = 50
# The XML a workbook may unpack to: a template row takes about 0.5 KB (7 cells of long Chinese text written
# inline), so twice that per allowed row plus room for styles and shared strings. openpyxl parses some
# 3–6 MB of sheet XML a second: the web's 5,000 rows cost at most about two seconds whatever the file holds.
XML_BYTES_PER_ROW = 1024
XML_BYTES_FIXED = 1024 * 1024
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
                     "The old .xls format is not supported: save the file as .xlsx or .csv in Excel and import it again.")
    if content.startswith(XLSX_MAGIC):
        rows = _xlsx_rows(content, max_xml_bytes=XML_BYTES_FIXED + XML_BYTES_PER_ROW * max_rows)
    elif name.endswith(".csv"):
        rows = _csv_rows(content)
    else:
        raise refuse("请上传 .xlsx 或 .csv 文件", "Upload an .xlsx or .csv file.")
    return _table(rows, max_rows)


def _blank(values: tuple) -> bool:
    # count() compares in C: a sheet may number its rows up to a million, and each missing one is checked here.
    return values.count(None) == len(values) or all(
        value is None or (isinstance(value, str) and not value.strip()) for value in values)


def _table(rows, max_rows: int) -> Table:
    header = None
    data = []
    for number, values in rows:
        if _blank(values):
            continue
        if header is None:
            header = SheetRow(number, tuple(values))
            continue
        data.append(SheetRow(number, tuple(values)))
        if len(data) > max_rows:
            raise refuse(f"文件超过{max_rows}行数据，请拆分为多个文件分别导入",
                         f"The file has more than {max_rows} rows of data: split it into several files.")
    if header is None:
        raise refuse("文件是空的：第一行应为列名", "The file is empty: its first row must hold the column names.")
    if not data:
        raise refuse("文件只有列名，没有数据行", "The file has the column names but no rows of data.")
    return Table(header, data)


def _xlsx_rows(content: bytes, max_xml_bytes: int):
    # A damaged or hostile workbook can fail anywhere inside openpyxl and its XML parser, with many kinds of
    # exception; to the office every one of them means the same thing: this file cannot be read.
    unreadable = refuse("无法读取该Excel文件，请确认是 .xlsx 格式且未损坏、未加密", "The Excel file cannot be read: check that it is an .xlsx file, not damaged and not encrypted.")
    _check_unpacked_size(content, max_xml_bytes, unreadable)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        raise unreadable from None
    try:
        sheet = workbook.worksheets[0]
        # Rows as the sheet holds them, each at most MAX_COLUMNS wide, whatever width and height it declares.
        sheet.reset_dimensions()
        yield from enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1)
    except Exception:
        raise unreadable from None
    finally:
        workbook.close()


def _check_unpacked_size(content: bytes, max_xml_bytes: int, unreadable: InvalidInput) -> None:
    """Refuse a workbook whose XML unpacks to more than ``max_xml_bytes``. The sizes are those the zip
    declares; Python's zipfile never unpacks more than declared (it fails the checksum instead)."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(item.file_size for item in archive.infolist()
                           if item.filename.endswith((".xml", ".rels")))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise unreadable from None
    if unpacked > max_xml_bytes:
        megabytes = f"{max_xml_bytes / (1024 * 1024):.1f}"
        raise refuse(f"Excel文件解压后内容过多（超过{megabytes}MB）：请只保留要导入的数据，或另存为 .csv 后再导入",
                     f"The workbook unpacks to more than {megabytes} MB: keep only the rows to import, or save "
                     "it as .csv.")


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise refuse("无法识别CSV文件的编码，请保存为 UTF-8 或 GBK 编码", "The encoding of the CSV file is not recognised: save it as UTF-8 or GBK.")


def _csv_rows(content: bytes):
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from ((number, tuple(values[:MAX_COLUMNS])) for number, values in
                    enumerate(csv.reader(io.StringIO(text, newline=""), dialect), start=1))
    except csv.Error:
        raise refuse("CSV文件格式有误（如引号不配对），请检查后重新保存", "The CSV file is malformed (unmatched quotes, for example): check it and save it again.") from None


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
