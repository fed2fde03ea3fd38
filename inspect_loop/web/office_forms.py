"""Reading the values the county office's forms post (times, counts, amounts; dates: ``arguments.parse_day``)
and answering with PDFs.

A bad value raises ``InvalidInput`` with a Chinese message naming the field, so the page shows it exactly
like a refusal of the domain.
"""

from datetime import datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO

from flask import send_file

from inspect_loop import clock
from inspect_loop.errors import InvalidInput
from inspect_loop.labels import english
from inspect_loop.web.arguments import check_in_range

MAX_COUNT = 100_000
MAX_AMOUNT = Decimal("1e10")  # the column holds 12 digits with 2 decimals


def parse_local_datetime(text: str, field: str, label: str) -> datetime:
    """A ``datetime-local`` input: wall-clock time in Asia/Shanghai."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"请填写有效的{label}", f"{english(label)}: enter a valid date and time.", field=field) from None
    check_in_range(moment.date(), field, label)  # as typed, before time-zone arithmetic that could overflow
    return moment.replace(tzinfo=clock.LOCAL_TZ) if moment.tzinfo is None else moment


def parse_count(text: str, field: str, label: str) -> int:
    if not text:
        return 0
    if not text.isdigit() or int(text) > MAX_COUNT:
        raise InvalidInput(f"{label}应为0至{MAX_COUNT}的整数", f"{english(label)}: enter a whole number from 0 to {MAX_COUNT}.", field=field)
    return int(text)


def parse_amount(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("金额应为数字（元）", "Enter the amount in yuan as a number.", field="amount") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= MAX_AMOUNT:
        raise InvalidInput("金额应为不超过两位小数的数字（元）", "Enter the amount in yuan as a number with at most "
                           "two decimals.",
                           field="amount")
    return amount


def pdf_download(content: bytes, filename: str):
    """A PDF shown in the browser's viewer (for printing), with a sensible name when saved."""
    return send_file(BytesIO(content), mimetype="application/pdf", download_name=filename, as_attachment=False)
