"""Excel (.xlsx) downloads of the lists on the web pages: the whole filtered list, not only the page shown.

A page offers its list as ``?format=xlsx`` (``wants_xlsx``; or its own export route) and answers with
``xlsx_list(...)``; the workbook is built by ``stats.excel.table_workbook`` (bold frozen header, widths fitted
to Chinese text) with a second sheet stating the filters and the moment of export, so a printed list says what
it shows.
"""

from io import BytesIO

from flask import request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from inspect_loop import clock
from inspect_loop.errors import InvalidInput
from inspect_loop.stats.excel import Column, table_workbook

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A list export is a print-out, not a data dump: beyond this many rows the office uses the API.
MAX_EXPORT_ROWS = 50_000


def wants_xlsx() -> bool:
    """``?format=xlsx`` asks for the download; no ``format`` (or an empty one) for the page. Any other format
    is refused (400 with the message), as the API refuses it: a link that asks for something else is broken
    and should say so rather than answer a page it did not ask for."""
    chosen = request.args.get("format") or ""
    if chosen not in ("", "xlsx"):
        raise InvalidInput("只能导出为Excel文件（xlsx）", "Lists can be downloaded only as Excel files (xlsx).", field="format")
    return chosen == "xlsx"


def xlsx_list(title: str, columns: list[Column | tuple[str, str]], rows: list[dict], filename: str,
              filters: list[tuple[str, str]] = ()):
    """A download of ``rows`` (dicts keyed like ``columns``) as ``filename``.xlsx.

    Title, headers and filter names may be lazy translations: they are put in the reader's language here."""
    columns = [column if isinstance(column, Column) else Column(*column) for column in columns]
    columns = [Column(column.key, str(column.header), column.number_format) for column in columns]
    notes = [(_("导出时间"), clock.local_datetime(clock.now()).strftime("%Y-%m-%d %H:%M")),
             (_("导出人"), current_user.username if current_user.is_authenticated else ""),
             *[(str(name), "" if value is None else str(value)) for name, value in filters]]
    content = table_workbook(str(title), columns, rows[:MAX_EXPORT_ROWS], definitions=[], notes=notes)
    return send_file(BytesIO(content), mimetype=XLSX_MIMETYPE, as_attachment=True,
                     download_name=f"{filename}-{clock.today().isoformat()}.xlsx")
