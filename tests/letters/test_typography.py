"""Typography after GB/T 9704-2012, read back from the PDFs with PyMuPDF: the faces by role, the body's size
and grid (28 characters × 22 lines), the 版头 (mark, 发文字号, red rule), the 落款 with the seal's place kept
free, the 附注 and the 版记 at the foot of the last page, and a signature never alone on its page."""

import math
from datetime import date, timedelta

import pymupdf
import pytest
from sqlalchemy import select

from inspect_loop.letters import context as letter_context
from inspect_loop.letters import render
from inspect_loop.letters.models import Document, DocumentKind
from tests.factories import inspect
from tests.helpers import at

MM = 72 / 25.4
TYPE_AREA_LEFT, TYPE_AREA_TOP, TYPE_AREA_WIDTH, TYPE_AREA_HEIGHT = 28 * MM, 37 * MM, 156 * MM, 225 * MM
LETTERS = (DocumentKind.reminder, DocumentKind.summons, DocumentKind.referral)  # the 交办单 is a form


@pytest.fixture(autouse=True)
def letter_fonts_installed():
    missing = [name for name in render.LETTER_FACES.values() if not (render.FONTS_DIR / name).is_file()]
    assert not missing, f"the letter faces are missing: {missing}; run `make fonts`"


def lines_of(page) -> list[dict]:
    """Each text line of the page: its text, bounding box, and the font and size of its first span."""
    lines = []
    for block in page.get_text("dict")["blocks"]:
        for line in block.get("lines", ()):
            spans = [span for span in line["spans"] if span["text"].strip()]
            if spans:
                lines.append({"text": "".join(span["text"] for span in spans).strip(), "bbox": line["bbox"],
                              "font": spans[0]["font"].split("+")[-1], "size": spans[0]["size"],
                              "color": spans[0]["color"], "spans": spans})
    return lines


def face(name: str) -> str:
    return name.split("+")[-1]


def notice_end(pdf) -> int:
    """The index of the notice's own last page: a 送达回证 page after it is a form of its own."""
    return max(index for index, page in enumerate(pdf) if "送达回证" not in page.get_text()[:40])


def line_with(lines, text) -> dict:
    return next(line for line in lines if text in line["text"])


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_role_has_its_face(every_kind, kind):
    with pymupdf.open(stream=getattr(every_kind, kind.value).pdf) as pdf:
        lines = [line for page in pdf for line in lines_of(page)]
    title = line_with(lines, {"reminder": "整改提醒通知书", "summons": "警示约谈通知书", "assignment": "安全隐患整改交办单",
                              "referral": "执法建议书", "extension": "准予延期整改通知书"}[kind.value])
    assert (title["font"], round(title["size"])) == ("Noto-Serif-CJK-SC-Bold", 22)  # 二号, 小标宋-like
    mark = line_with(lines, "兰溪市平安办")
    assert mark["font"] == "Noto-Serif-CJK-SC-Bold" and mark["color"] == 0xD40000 and mark["size"] > 22
    body = [line for line in lines if round(line["size"]) == 16 and line["font"] == "FandolFang"]
    assert len(body) >= 8  # 三号 仿宋
    assert {line["font"] for line in lines if line["text"].startswith("序号")} == {"FandolHei"}  # table heads
    if kind == DocumentKind.summons:
        headings = [span for line in lines for span in line["spans"] if span["text"].startswith("一、")]
        assert [face(span["font"]) for span in headings] == ["FandolHei"]  # level 1 in 黑体
    if kind == DocumentKind.referral:
        assert line_with(lines, "一、处置经过")["font"] == "FandolHei"


def test_level_two_headings_are_set_in_kai():
    pdf = render.html_to_pdf('<!DOCTYPE html><html lang="zh-CN"><body><div class="body"><p>'
                             '<span class="heading">一、总体要求</span></p><p><span class="heading-2">（一）整改范围。'
                             '</span>正文。</p></div></body></html>')
    with pymupdf.open(stream=pdf) as document:
        spans = {span["text"]: face(span["font"]) for line in lines_of(document[0]) for span in line["spans"]}
    assert spans["一、总体要求"] == "FandolHei" and spans["（一）整改范围。"] == "FandolKai"
    assert spans["正文。"] == "FandolFang"


def test_the_body_is_28_characters_by_22_lines(every_kind):
    with pymupdf.open(stream=every_kind.reminder.pdf) as pdf:
        body = [line for page in pdf for line in lines_of(page)
                if line["font"] == "FandolFang" and round(line["size"]) == 16]
    # A full line of Chinese text fills the type area with 28 characters.
    full = [line for line in body if line["bbox"][2] > TYPE_AREA_LEFT + TYPE_AREA_WIDTH - 16
            and line["bbox"][0] < TYPE_AREA_LEFT + 1 and line["text"].isascii() is False
            and not any(character.isascii() for character in line["text"])]
    assert full and {len(line["text"]) for line in full} == {28}
    assert all(line["bbox"][2] <= TYPE_AREA_LEFT + TYPE_AREA_WIDTH + 1 for line in body)
    # Consecutive lines of a paragraph are 28.9 pt apart: 22 lines in the 225 mm type area.
    tops = sorted(line["bbox"][1] for line in body[:6])
    pitch = min(later - earlier for earlier, later in zip(tops, tops[1:], strict=False) if later - earlier > 1)
    assert pitch == pytest.approx(28.9, abs=0.2)
    assert math.floor(TYPE_AREA_HEIGHT / pitch) == 22


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_the_letterhead_puts_the_number_two_lines_under_the_mark_and_a_red_rule_under_it(every_kind, kind):
    document = getattr(every_kind, kind.value)
    with pymupdf.open(stream=document.pdf) as pdf:
        page = pdf[0]
        lines = lines_of(page)
        # WeasyPrint draws a border as a filled path around its box: the rule is the path's bottom edge.
        reds = [drawing["rect"] for drawing in page.get_drawings()
                if drawing.get("fill") and drawing["fill"][0] > 0.8 and max(drawing["fill"][1:]) < 0.01]
    mark = line_with(lines, "兰溪市平安办")
    number = line_with(lines, document.number)
    # The mark's top edge 35 mm below the top of the type area (7.2.4), centred; a 交办单, a form, keeps only
    # the QR code's height above it. A Chinese character's top is 0.88 em above its baseline.
    letter = kind != DocumentKind.assignment
    glyph_top = mark["spans"][0]["origin"][1] - 0.88 * mark["size"]
    assert glyph_top == pytest.approx(TYPE_AREA_TOP + (35 if letter else 27) * MM, abs=2)
    assert (mark["bbox"][0] + mark["bbox"][2]) / 2 == pytest.approx(TYPE_AREA_LEFT + TYPE_AREA_WIDTH / 2, abs=2)
    # The number two blank lines (2 × 28.9 pt) under the mark, centred (7.2.5); one on the form.
    assert number["bbox"][1] - mark["bbox"][3] == pytest.approx((2 if letter else 1) * 28.9, abs=6)
    assert (number["bbox"][0] + number["bbox"][2]) / 2 == pytest.approx(TYPE_AREA_LEFT + TYPE_AREA_WIDTH / 2, abs=2)
    # A red rule as wide as the type area about 4 mm under the number (7.2.7).
    assert any(rect.width == pytest.approx(TYPE_AREA_WIDTH, abs=1)
               and 2 * MM < rect.y1 - number["bbox"][3] < 6 * MM for rect in reds), reds


def issue_reminder_with(monkeypatch, county, database, **extra) -> Document:
    original = letter_context.common
    monkeypatch.setattr(letter_context, "common", lambda *arguments: original(*arguments) | extra)
    with at("2026-03-02"):
        inspect(county, county.units.market, "SP-01")
    return database.session.scalar(select(Document).where(Document.unit_id == county.units.market.id))


def test_the_annotation_prints_the_contact_under_the_date_and_the_seal_s_place_stays_free(monkeypatch, county,
                                                                                           database):
    document = issue_reminder_with(monkeypatch, county, database, issuer_full_name="兰溪市平安建设领导小组办公室",
                                   contact={"person": "王晓明", "phone": "0579-88881234"})
    with pymupdf.open(stream=document.pdf) as pdf:
        page = pdf[notice_end(pdf)]
        lines = lines_of(page)
    dated = line_with(lines, "2026年3月2日")
    signature = max((line for line in lines if line["text"] == "兰溪市平安建设领导小组办公室"
                     and line["bbox"][3] <= dated["bbox"][1] + 1), key=lambda line: line["bbox"][1])
    annotation = line_with(lines, "（联系人：王晓明，联系电话：0579-88881234）")
    assert annotation["font"] == "FandolFang"
    assert annotation["bbox"][0] == pytest.approx(TYPE_AREA_LEFT + 2 * 16, abs=3)  # two characters in
    # The date four characters from the right edge, the issuer's name centred over it (7.3.5.1).
    assert dated["bbox"][2] == pytest.approx(TYPE_AREA_LEFT + TYPE_AREA_WIDTH - 4 * 16, abs=8)
    assert (signature["bbox"][0] + signature["bbox"][2]) / 2 == pytest.approx(
        (dated["bbox"][0] + dated["bbox"][2]) / 2, abs=2)
    # The seal (42 mm across) centred on the date, a little above its line: nothing else prints under it.
    centre_x, centre_y = (dated["bbox"][0] + dated["bbox"][2]) / 2, dated["bbox"][1]
    for line in lines:
        if line in (signature, dated) or line["text"].startswith("—"):
            continue
        x0, y0, x1, y1 = line["bbox"]
        nearest = (min(max(centre_x, x0), x1), min(max(centre_y, y0), y1))
        assert math.dist(nearest, (centre_x, centre_y)) > 21 * MM, line["text"]
    assert annotation["bbox"][1] > dated["bbox"][3]


def test_no_annotation_without_a_contact(county, database):
    with at("2026-03-02"):
        inspect(county, county.units.market, "SP-01")
    document = database.session.scalar(select(Document).where(Document.unit_id == county.units.market.id))
    with pymupdf.open(stream=document.pdf) as pdf:
        assert "联系人" not in "".join(page.get_text() for page in pdf)


@pytest.mark.parametrize("kind", LETTERS)
def test_the_colophon_closes_the_last_page_at_the_foot_of_the_type_area(every_kind, kind):
    document = getattr(every_kind, kind.value)
    with pymupdf.open(stream=document.pdf) as pdf:
        page = pdf[notice_end(pdf)]
        lines = lines_of(page)
        rules = [drawing["rect"] for drawing in page.get_drawings()]
        earlier = "".join(pdf[index].get_text() for index in range(notice_end(pdf)))
    printed = line_with(lines, f"{document.issued_on.year}年{document.issued_on.month}月{document.issued_on.day}日印发")
    issuer = [line for line in lines if line["bbox"][1] == printed["bbox"][1] and line is not printed]
    assert issuer and issuer[0]["text"] == "兰溪市平安办" and issuer[0]["bbox"][0] == pytest.approx(
        TYPE_AREA_LEFT + 14, abs=3)  # 印发机关 one character in, 四号
    assert round(printed["size"]) == 14 and printed["bbox"][2] == pytest.approx(
        TYPE_AREA_LEFT + TYPE_AREA_WIDTH - 14, abs=3)
    # The last rule of the 版记 lies on the bottom edge of the type area, as wide as it.
    bottom = TYPE_AREA_TOP + TYPE_AREA_HEIGHT
    assert any(rect.width == pytest.approx(TYPE_AREA_WIDTH, abs=1) and rect.y1 == pytest.approx(bottom, abs=1.5)
               for rect in rules), rules
    assert "印发" not in earlier


def test_copy_to_is_printed_in_the_colophon(monkeypatch, county, database):
    document = issue_reminder_with(monkeypatch, county, database, copy_to=["兰溪市消防救援大队", "兰江街道平安办"])
    with pymupdf.open(stream=document.pdf) as pdf:
        lines = lines_of(pdf[notice_end(pdf)])
    copy_to = line_with(lines, "抄送：")
    assert copy_to["text"] == "抄送：兰溪市消防救援大队，兰江街道平安办。" and round(copy_to["size"]) == 14
    assert copy_to["bbox"][3] < line_with(lines, "印发")["bbox"][1]


def referral_context(findings: int) -> dict:
    found = date(2026, 3, 2)
    return {
        "number": "兰平安执〔2026〕1号", "issuer_name": "兰溪市平安办", "issuer_full_name": "兰溪市平安办",
        "issued_on": found, "feedback_due_on": found + timedelta(days=21), "contact": None, "copy_to": [],
        "service_receipt": True,
        "unit": {"name": "某商行", "address": "兰江街道振兴路1号", "uscc": None},
        "verify_url": "https://pingan.example.gov.cn/v/token", "verify_code": "K7Q2-9XMD",
        "verify_lookup_url": "https://pingan.example.gov.cn/v",
        "history": [{"on": found, "text": "暗访检查发现隐患"}], "recipients": ["兰溪市消防救援大队"],
        "escalation_reason": None, "operating_while_closed": None, "grounds": letter_context.REFERRAL_GROUNDS,
        "findings": [{"category": "消防安全", "hazard_title": f"隐患{number}", "description": "疏散通道堆放杂物" * 3,
                      "severity": "general", "legal_basis": "《中华人民共和国消防法》第二十八条", "original_deadline": None,
                      "found_on": found, "deadline": found + timedelta(days=7)}
                     for number in range(findings)],
    }


def test_the_signature_is_never_alone_on_a_page():
    # Notices of growing length: wherever the page breaks, the 落款 keeps text of the notice with it.
    for findings in range(4, 22):
        pdf = render.render_letter("referral", referral_context(findings))
        with pymupdf.open(stream=pdf) as document:
            for page in document:
                lines = lines_of(page)
                if not any(line["text"] == "特此函告。" for line in lines):
                    continue
                text_lines = [line for line in lines if round(line["size"]) == 16 and line["font"] == "FandolFang"
                              and line["text"] not in ("特此函告。", "兰溪市平安办", "2026年3月2日")]
                assert len(text_lines) >= 2, (findings, [line["text"] for line in lines])


def test_the_installed_faces_are_keyed_by_glyph_id_so_their_subsets_stay_compact():
    from fontTools.ttLib import TTFont

    from inspect_loop.letters.fonts import cid_of_glyphs

    for file_name in render.LETTER_FACES.values():
        font = TTFont(render.FONTS_DIR / file_name, lazy=True)
        cids = cid_of_glyphs(memoryview(font.reader["CFF "]))
        assert cids and all(cid == glyph_id for glyph_id, cid in cids.items()), file_name
        assert font["CFF "].cff.topDictIndex[0].ROS == ("Adobe", "Identity", 0)


@pytest.fixture
def without_letter_fonts(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "FONTS_DIR", tmp_path)
    render._fonts_and_stylesheets.cache_clear()
    yield
    render._fonts_and_stylesheets.cache_clear()


def test_without_the_fandol_files_a_notice_renders_in_noto(without_letter_fonts):
    assert render.font_face_rules() == ""
    pdf = render.html_to_pdf('<!DOCTYPE html><html lang="zh-CN"><body><h1>整改提醒通知书</h1><div class="body">'
                             '<p><span class="heading">一、</span>正文。</p></div></body></html>')
    with pymupdf.open(stream=pdf) as document:
        faces = {face(name) for _, _, _, name, *_ in document[0].get_fonts()}
        assert "整改提醒通知书" in document[0].get_text()
    assert faces == {"Noto-Serif-CJK-SC-Bold", "Noto-Serif-CJK-SC", "Noto-Sans-CJK-SC"}
