"""Printing in batches: every summons of an interview round, every reminder of a day, as one PDF."""

from datetime import date
from io import BytesIO

from pypdf import PdfReader, PdfWriter
from sqlalchemy import select

from inspect_loop.db import db
from inspect_loop.interviews.models import InterviewRound
from inspect_loop.letters.models import Document, DocumentKind, DocumentStatus
from inspect_loop.units.models import Unit


def summons_documents(interview_round: InterviewRound) -> dict[int, Document]:
    """The current (valid) 约谈通知书 of each summons of the round, by summons id."""
    summons_ids = [summons.id for summons in interview_round.summonses]
    if not summons_ids:
        return {}
    documents = db.session.scalars(select(Document).where(
        Document.kind == DocumentKind.summons, Document.summons_id.in_(summons_ids),
        Document.status == DocumentStatus.valid).order_by(Document.id))
    return {document.summons_id: document for document in documents}


def reminders_of_day(day: date, county_id: int | None = None) -> list[Document]:
    """Every valid 整改提醒通知书 issued on ``day`` (in one county, or everywhere), in number order."""
    statement = select(Document).join(Unit, Unit.id == Document.unit_id).where(
        Document.kind == DocumentKind.reminder, Document.issued_on == day, Document.status == DocumentStatus.valid)
    if county_id is not None:
        statement = statement.where(Unit.county_id == county_id)
    return list(db.session.scalars(statement.order_by(Document.issuer_id, Document.year, Document.serial)))


def merged_pdf(documents: list[Document]) -> bytes:
    """The stored PDFs one after another: each notice exactly as issued (and hashed), never re-rendered."""
    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(BytesIO(document.pdf)))
    buffer = BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
