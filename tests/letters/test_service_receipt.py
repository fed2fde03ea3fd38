"""The 送达回证 printed after the reminder, the summons and the 执法建议书 — and not after a 交办单."""

import pymupdf
import pytest

from inspect_loop.letters.models import SERVED_KINDS, DocumentKind
from tests.letters.conftest import pdf_text

RECEIPT_FIELDS = ("被送达单位", "文书名称及文号", "送达方式", "直接送达", "留置送达", "邮寄送达", "电子送达", "送达地点",
                  "受送达人签收", "送达日期", "送达人", "备注", "见证人")
TITLES = {DocumentKind.reminder: "整改提醒通知书", DocumentKind.summons: "警示约谈通知书",
          DocumentKind.referral: "执法建议书"}


def receipt_text(pdf: bytes) -> str:
    """The text of the last page, which is the 送达回证 when there is one."""
    with pymupdf.open(stream=pdf) as document:
        return document[-1].get_text().replace("\n", "").replace(" ", "").replace("\u3000", "")


@pytest.mark.parametrize("kind", sorted(SERVED_KINDS))
def test_a_served_notice_ends_with_a_service_receipt_page_with_every_field(every_kind, kind):
    document = getattr(every_kind, kind.value)
    text = receipt_text(document.pdf)
    assert text.startswith("兰溪市平安办送达回证")
    for field in RECEIPT_FIELDS:
        assert field in text, field
    assert f"《{TITLES[kind]}》{document.number}" in text
    with pymupdf.open(stream=document.pdf) as pdf:
        receipt = pdf[-1]
        assert not receipt.get_image_info()  # the QR code stays on the notice
        assert "—" not in receipt.get_text()  # no page number: it is torn off and filed apart
        assert all("送达回证" not in page.get_text() for page in pdf.pages(0, pdf.page_count - 1))


def test_the_receipt_names_the_unit_or_for_a_referral_the_regulators(every_kind):
    assert "被送达单位某电子商务商行" in receipt_text(every_kind.reminder.pdf).replace("（", "")
    assert "被送达单位某电子商务商行" in receipt_text(every_kind.summons.pdf)
    referral = receipt_text(every_kind.referral.pdf)
    assert "被送达单位兰溪市消防救援大队" in referral and "某电子商务商行" not in referral


def test_an_assignment_has_no_service_receipt(every_kind):
    text = pdf_text(every_kind.assignment.pdf)
    assert "送达回证" not in text and "回执" in text

