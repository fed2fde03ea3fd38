"""Document numbers: per office, kind and year, consecutive, no gap or duplicate, also when concurrent."""

import random
import threading
import time

import pytest
from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.letters.numbering import format_number, next_serial
from tests.factories import inspect
from tests.helpers import at


def test_number_format():
    assert format_number("兰平安", DocumentKind.assignment, 2026, 12) == "兰平安交〔2026〕12号"


def test_serials_are_per_office_kind_and_year(county, database):
    office, township = county.office.id, county.east_office.id
    assert [next_serial(office, DocumentKind.reminder, 2026) for _ in range(3)] == [1, 2, 3]
    assert next_serial(office, DocumentKind.summons, 2026) == 1
    assert next_serial(township, DocumentKind.reminder, 2026) == 1
    assert next_serial(office, DocumentKind.reminder, 2027) == 1


def test_issued_reminders_are_numbered_consecutively_across_the_new_year(county, database):
    with at("2026-12-30"):
        inspect(county, county.units.shop, "XF-01")
        inspect(county, county.units.market, "XF-01")
    with at("2027-01-04"):
        inspect(county, county.units.factory, "YD-01")
    numbers = database.session.scalars(select(Document.number).order_by(Document.id))
    assert list(numbers) == ["兰平安提〔2026〕1号", "兰平安提〔2026〕2号", "兰平安提〔2027〕1号"]


def test_concurrent_issuers_never_leave_a_gap_or_a_duplicate(app, county, database):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers itself; the row-lock path is PostgreSQL's")
    office_id = county.office.id
    workers, start = 12, threading.Barrier(12)
    committed, errors = [], []

    def issue(index: int):
        try:
            with app.app_context():
                start.wait()
                serial = next_serial(office_id, DocumentKind.assignment, 2026)
                time.sleep(random.uniform(0, 0.05))  # hold the row lock while "rendering"
                if index % 4 == 3:
                    db.session.rollback()  # a failed issue must not leave a gap
                    return
                db.session.commit()
                committed.append(serial)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=issue, args=(index,)) for index in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(committed) == list(range(1, len(committed) + 1)) and len(committed) == 9
