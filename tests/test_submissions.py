"""A submission sent twice — a second tap, a retry after an answer lost on a weak connection — records one
inspection, also when both copies arrive at the same moment."""

import threading

import pytest
from sqlalchemy import func, select

from inspect_loop.db import db
from inspect_loop.inspections.models import Inspection, InspectionKind
from inspect_loop.inspections.operations import NewFinding, record_inspection
from inspect_loop.letters.models import Document
from inspect_loop.units.models import Unit
from inspect_loop.users.models import User
from tests.helpers import at

KEY = "9b1d7c44-0c3e-4f7e-a1b2-5e8f0d6c3a21"


def submit(county, unit, key=KEY):
    return record_inspection(county.users.inspector, unit, InspectionKind.unannounced,
                             findings=[NewFinding(county.hazards["XF-01"], "安全出口堵塞")], submission_key=key)


def test_the_same_key_again_returns_the_inspection_it_recorded(county, database):
    with at("2026-03-02"):
        first = submit(county, county.units.shop)
        database.session.commit()
        assert submit(county, county.units.shop) is first
        other = submit(county, county.units.shop, key=None)
    assert other.id != first.id
    assert database.session.scalar(select(func.count(Inspection.id))) == 2


def test_two_copies_at_once_record_one_inspection(app, county, database):
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers itself; the unique-key race is PostgreSQL's")
    unit_id, user_id, hazard_id = county.units.shop.id, county.users.inspector.id, county.hazards["XF-01"].id
    start, results, errors = threading.Barrier(2), [], []

    def send():
        try:
            with app.app_context():
                from inspect_loop.hazards.models import HazardType

                actor, unit = db.session.get(User, user_id), db.session.get(Unit, unit_id)
                start.wait()
                inspection = record_inspection(
                    actor, unit, InspectionKind.unannounced, submission_key=KEY,
                    findings=[NewFinding(db.session.get(HazardType, hazard_id), "安全出口堵塞")])
                db.session.commit()
                results.append(inspection.id)
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(2)]
    with at("2026-03-02"):  # freezegun patches the process, so both threads see the frozen clock
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a submission is stuck"
    assert errors == [] and len(set(results)) == 1
    assert database.session.scalar(select(func.count(Inspection.id))) == 1
    assert database.session.scalar(select(func.count(Document.id))) == 1
