from tests.letters.conftest import pdf_text


def test_print(every_kind):
    print(pdf_text(every_kind.referral.pdf))
    print(pdf_text(every_kind.assignment.pdf))
