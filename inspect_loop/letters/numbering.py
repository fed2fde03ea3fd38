"""Document numbers per issuing office, kind and year: consecutive, never a gap or a duplicate.

The counter row is incremented with one ``UPDATE … RETURNING``. On PostgreSQL the row lock it takes is
held until the issuing transaction ends, so concurrent issuers queue behind it; a rolled-back issue rolls
its increment back too, so no gap appears. SQLite serialises writers on the database lock.
"""

from sqlalchemy import update

from inspect_loop.db import db, insert_or_nothing
from inspect_loop.letters.models import DOCUMENT_KIND_MARKS, DocumentCounter, DocumentKind


def next_serial(issuer_id: int, kind: DocumentKind, year: int) -> int:
    insert_or_nothing(db.session.connection(), DocumentCounter, issuer_id=issuer_id, kind=kind, year=year,
                      last_serial=0)
    return db.session.execute(
        update(DocumentCounter)
        .where(DocumentCounter.issuer_id == issuer_id, DocumentCounter.kind == kind, DocumentCounter.year == year)
        .values(last_serial=DocumentCounter.last_serial + 1)
        .returning(DocumentCounter.last_serial)
    ).scalar_one()


def format_number(prefix: str, kind: DocumentKind, year: int, serial: int) -> str:
    """兰平安交〔2026〕12号"""
    return f"{prefix}{DOCUMENT_KIND_MARKS[kind]}〔{year}〕{serial}号"
