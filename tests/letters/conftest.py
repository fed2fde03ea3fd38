"""Notices issued through the domain's own operations, and helpers to read their PDFs back."""

from datetime import date, datetime
from types import SimpleNamespace

import pymupdf
import pytest
import zxingcpp

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.deadline_extensions.operations import decide_extension, request_extension
from inspect_loop.inspections.models import InspectionKind
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.letters.models import Document, DocumentKind
from tests.factories import inspect
from tests.helpers import at
from tests.kept import kept


def to_warning(county, unit, *codes, day="2026-03-02", recheck="2026-03-13"):
    """A case at 二次警示: found on ``day``, every finding re-inspected unrectified on ``recheck``."""
    with at(day):
        case = inspect(county, unit, *codes).findings[0].case
    with at(recheck):
        inspect(county, unit, kind=InspectionKind.reinspection,
                verified=[(finding, False) for finding in case.findings])
    return case


def convene(county, cases, day="2026-03-20"):
    with at(day, 9):
        return convene_round(county.users.office, held_at=datetime.fromisoformat(f"{day}T14:30").replace(tzinfo=LOCAL_TZ),
                             venue="兰溪市平安警示教育站", convened_by=county.office,
                             departments=[county.fire, county.market], cases=cases, participants=12)


def document_of(database, kind: DocumentKind) -> Document:
    return database.session.query(Document).filter_by(kind=kind).order_by(Document.id.desc()).first()


@pytest.fixture
def every_kind(county, database):
    return kept("every_kind", lambda: build_every_kind(county, database))


def build_every_kind(county, database):
    """One case taken through the ladder: a reminder, a summons, a 交办单, a 准予延期整改通知书 of the 交办单's
    deadline (to 2026-04-08) and an 执法建议书 for the shop."""
    case = to_warning(county, county.units.shop, "XF-01", "XF-02", "SC-01")
    interview_round = convene(county, [case])
    with at("2026-03-20", 16):
        record_attendance(county.users.office, interview_round, case, attended=True, attendee_name="李四")
    with at("2026-03-21"):
        assignment = issue_assignment(county.users.office, case, county.fire)
    with at("2026-03-25"):
        request = request_extension(county.users.east, case, assignment=assignment, reason="消防设施采购周期较长",
                                    requested_deadline=date(2026, 4, 8))
    with at("2026-03-26"):
        decide_extension(county.users.office, request, approved=True, reason="同意")
    with at("2026-04-10"):
        inspect(county, county.units.shop, kind=InspectionKind.follow_up,
                verified=[(finding, False) for finding in case.findings])
    database.session.commit()
    return SimpleNamespace(case=case, **{kind.value: document_of(database, kind) for kind in DocumentKind})


def pdf_text(pdf: bytes) -> str:
    """The text of every page, without the line breaks the layout put in."""
    with pymupdf.open(stream=pdf) as document:
        return "".join(page.get_text() for page in document).replace("\n", "").replace(" ", "").replace("\u3000", "")


def qr_urls(pdf: bytes, dpi: int = 200) -> list[list[str]]:
    """The QR codes read from each rendered page, as a phone camera would see the printed page."""
    found = []
    with pymupdf.open(stream=pdf) as document:
        for page in document:
            pixmap = page.get_pixmap(dpi=dpi, colorspace=pymupdf.csGRAY)
            found.append([barcode.text for barcode in zxingcpp.read_barcodes(pixmap.pil_image())
                          if barcode.format == zxingcpp.BarcodeFormat.QRCode])
    return found
