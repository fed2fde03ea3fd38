"""The renderer itself: HarfBuzz subsetting, compact fonts that change no pixel, the URL fetcher's limits,
batches rendered in a process pool, and merged batch PDFs."""

import contextlib
import logging
from types import SimpleNamespace

import pymupdf
import pytest
from sqlalchemy import event
from weasyprint.text import ffi as weasyprint_ffi
from weasyprint.urls import FatalURLFetchingError

from inspect_loop.interviews.models import InterviewRound
from inspect_loop.letters import fonts, render
from inspect_loop.letters.batch import merged_pdf, summons_documents
from inspect_loop.letters.fonts import cid_of_glyphs
from inspect_loop.units.operations import create_unit
from tests.letters.conftest import convene, pdf_text, qr_urls, to_warning

SAMPLE = """<!DOCTYPE html><html lang="zh-CN"><body><h1>整改提醒通知书</h1>
<p>兰溪市平安办对你单位开展暗访检查，发现下列安全隐患：应急照明灯未接通电源。{extra}</p></body></html>"""


def rendered_pages(pdf: bytes, dpi: int = 72) -> list[bytes]:
    with pymupdf.open(stream=pdf) as document:
        return [page.get_pixmap(dpi=dpi).samples for page in document]


def test_weasyprint_subsets_fonts_with_harfbuzz_not_fonttools(caplog):
    # WeasyPrint 70 takes HarfBuzz's subsetter when libharfbuzz-subset loads and HarfBuzz is 4.1 or newer;
    # otherwise it warns and falls back to fontTools, about 50 times slower on a CJK face.
    assert weasyprint_ffi.harfbuzz_subset is not None, "install Debian's libharfbuzz-subset0"
    assert weasyprint_ffi.harfbuzz.hb_version_atleast(4, 1, 0)
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render.html_to_pdf(SAMPLE.format(extra="第二次渲染"))
    assert not [record for record in caplog.records if "fontTools" in record.getMessage()]


def cff_programs(pdf: bytes) -> list[bytes]:
    with pymupdf.open(stream=pdf) as document:
        return [document.xref_stream(xref) for xref in range(1, document.xref_length())
                if document.xref_get_key(xref, "Subtype") == ("name", "/CIDFontType0C")]


def test_single_pass_subsets_change_no_pixel_and_are_a_quarter_of_weasyprints(monkeypatch):
    markup = SAMPLE.format(extra="<b>重大隐患</b> ABC 123（〔2026〕）")
    compact = render.html_to_pdf(markup)
    monkeypatch.setattr(render, "single_pass_subsetting", contextlib.nullcontext)
    as_weasyprint_writes_it = render.html_to_pdf(markup)
    assert rendered_pages(compact, 100) == rendered_pages(as_weasyprint_writes_it, 100)
    assert pdf_text(compact) == pdf_text(as_weasyprint_writes_it)
    assert len(compact) * 4 < len(as_weasyprint_writes_it)  # ~60,000 empty glyph slots gone
    with pymupdf.open(stream=compact) as document:
        faces = {name for _, _, _, name, *_ in document[0].get_fonts()}
    assert {name.split("+")[1] for name in faces} >= {"FandolFang", "Noto-Serif-CJK-SC-Bold"}  # text, title
    assert len(cff_programs(compact)) == len(faces) and not cff_programs(as_weasyprint_writes_it)  # every face


def test_each_glyph_keeps_its_cid_in_the_compact_program():
    program = cff_programs(render.html_to_pdf(SAMPLE.format(extra="")))[0]
    cids = cid_of_glyphs(program)
    assert cids[0] == 0 and cids[1] > 1  # glyph 1 of the subset is a glyph far into the full font
    assert list(cids.values()) == sorted(set(cids.values()))


def test_a_truetype_font_is_left_to_weasyprint():
    pdf = render.html_to_pdf('<html><body><p style="font-family: DejaVu Sans">Hazard</p><p>隐患</p></body></html>')
    with pymupdf.open(stream=pdf) as document:
        kinds = {name.split("+")[1]: extension for _, extension, _, name, *_ in document[0].get_fonts()}
    # 隐患 in the letter text face, the page number in Noto Serif, both compact; DejaVu as WeasyPrint makes it.
    assert kinds == {"DejaVu-Sans": "ttf", "FandolFang": "cid", "Noto-Serif-CJK-SC": "cid"}
    assert len(cff_programs(pdf)) == 2
    assert pdf_text(pdf).startswith("Hazard隐患")


def test_the_whole_font_file_is_copied_only_for_a_font_weasyprint_subsets_itself(monkeypatch):
    copied, copy = [], fonts.WEASYPRINT_FONT_DATA

    def counting_copy(face, *arguments):
        data = copy(face, *arguments)
        copied.append(len(data))
        return data

    monkeypatch.setattr(fonts, "WEASYPRINT_FONT_DATA", counting_copy)
    render.html_to_pdf(SAMPLE.format(extra=""))
    assert copied == []  # two Noto CJK faces, each subset without its 26 MB file
    pdf = render.html_to_pdf('<html><body><p style="font-family: DejaVu Sans">Hazard</p><p>隐患</p></body></html>')
    assert len(copied) == 1 and copied[0] < 2_000_000  # DejaVu Sans, for WeasyPrint's own subsetting
    assert pdf_text(pdf).startswith("Hazard隐患")
    assert not isinstance(fonts.weasyprint_fonts.Font.__dict__.get("file_content"), property)  # restored


def test_the_url_fetcher_serves_only_the_letter_assets():
    fetcher = render.LetterAssetFetcher()
    assert b"@page" in fetcher.fetch((render.LETTERS_DIR / "letter.css").as_uri()).read()
    for url in ("file:///etc/passwd", (render.LETTERS_DIR / ".." / "setup.cfg").as_uri(),
                "http://127.0.0.1:5000/", "https://example.org/logo.png", "ftp://example.org/x"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    # Markup that asks for a server file is refused as a whole: no notice is issued with a part missing.
    with pytest.raises(FatalURLFetchingError, match="passwd"):
        render.html_to_pdf('<html><body><img src="file:///etc/passwd"></body></html>')


def test_a_batch_renders_in_a_pool_in_order_and_as_one_at_a_time_would(monkeypatch):
    monkeypatch.setattr(render, "pool_size", lambda count: 2)
    markups = [SAMPLE.format(extra=f"第{index}号") for index in range(6)]
    pooled = render.render_many(markups)
    assert [pdf_text(pdf) for pdf in pooled] == [pdf_text(render.html_to_pdf(markup)) for markup in markups]
    assert pooled == [render.html_to_pdf(markup) for markup in markups]  # byte for byte


def test_pool_size_follows_the_cores_and_skips_small_batches(monkeypatch):
    monkeypatch.setattr(render.os, "sched_getaffinity", lambda pid: {0, 1})
    assert render.pool_size(render.POOL_MINIMUM - 1) == 0 and render.pool_size(200) == 2
    monkeypatch.setattr(render.os, "sched_getaffinity", lambda pid: {0})
    assert render.pool_size(200) == 0


def test_a_rounds_summonses_merge_into_one_small_pdf_that_prints_every_notice_as_issued(county, database):
    units = [county.units.shop, county.units.market] + [
        create_unit(county.users.admin, name=f"兰江街道第{index}号商铺", region=county.east,
                    address=f"兰江街道振兴路{index}号", category="商铺") for index in range(3, 9)]
    cases = [to_warning(county, unit, "XF-01", "SP-01") for unit in units]
    interview_round = convene(county, cases)
    database.session.expire_all()  # as in the printing request: nothing loaded yet
    statements = []

    def record(connection, cursor, statement, *arguments):
        statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        documents = list(summons_documents(database.session.get(InterviewRound, interview_round.id)).values())
        assert sorted(document.serial for document in documents) == list(range(1, 9))  # consecutive
        merged = merged_pdf(documents)
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    assert len(statements) <= 3  # the round, its summonses, their notices with their PDFs: not one per PDF

    stored_pages = [page for document in documents for page in rendered_pages(document.pdf)]
    assert rendered_pages(merged) == stored_pages  # each page exactly as issued
    with pymupdf.open(stream=merged) as pdf:
        assert len(merged) / pdf.page_count < 40 * 1024
        fonts = {font[0] for page in pdf for font in page.get_fonts()}
        faces = {font[3].split("+")[1] for page in pdf for font in page.get_fonts()}
        assert len(fonts) == len(faces) == 4  # 仿宋, 黑体, the title's Song, the page numbers': each shared
    urls = [url for page in qr_urls(merged) for url in page]
    assert urls == [url for document in documents for page in qr_urls(document.pdf) for url in page]
    assert len(set(urls)) == len(documents)


def test_a_merge_keeps_a_notice_whose_font_it_cannot_share(monkeypatch):
    compact = render.html_to_pdf(SAMPLE.format(extra="甲"))
    monkeypatch.setattr(render, "single_pass_subsetting", contextlib.nullcontext)
    full = render.html_to_pdf(SAMPLE.format(extra="乙"))
    documents = [SimpleNamespace(pdf=compact), SimpleNamespace(pdf=full), SimpleNamespace(pdf=compact)]
    merged = merged_pdf(documents)
    assert rendered_pages(merged) == [page for document in documents for page in rendered_pages(document.pdf)]
    assert pdf_text(merged) == "".join(pdf_text(document.pdf) for document in documents)
