"""Every kind of notice read back from its PDF; its QR code scanned from the rendered page and opened."""

import hashlib
import itertools
from urllib.parse import urlsplit

import pymupdf
import pytest
import zxingcpp
from sqlalchemy import func, select

from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.errors import Forbidden
from inspect_loop.letters import issuing
from inspect_loop.letters.models import Document, DocumentCheck, DocumentKind, DocumentStatus
from inspect_loop.letters.tokens import short_code
from inspect_loop.units.operations import create_unit
from tests.factories import inspect
from tests.helpers import at
from tests.letters.conftest import pdf_text, qr_urls

A4_POINTS = (595.28, 841.89)
MM = 72 / 25.4

TITLES = {
    DocumentKind.reminder: "整改提醒通知书",
    DocumentKind.summons: "警示约谈通知书",
    DocumentKind.assignment: "安全隐患整改交办单",
    DocumentKind.referral: "执法建议书",
    DocumentKind.extension: "准予延期整改通知书",
}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_kind_reads_back_with_its_title_unit_hazards_and_number(every_kind, kind):
    document = getattr(every_kind, kind.value)
    text = pdf_text(document.pdf)
    assert TITLES[kind] in text
    assert "某电子商务商行" in text
    assert document.number in text and document.number.startswith("兰平安")
    for hazard in ("应急照明灯未接通电源", "消防设施配备不全"):
        assert hazard in text, f"{hazard} missing from the {kind}"
    assert "兰溪市平安办" in text and "核验码" in text
    assert "13800000001" not in text and "张三" not in text  # the unit's contact is not printed


def test_each_kind_is_a4_with_embedded_compact_cjk_subsets(every_kind):
    for kind in DocumentKind:
        with pymupdf.open(stream=getattr(every_kind, kind.value).pdf) as pdf:
            for page in pdf:
                assert (round(page.rect.width, 2), round(page.rect.height, 2)) == A4_POINTS
            fonts = {name: xref for xref, _, _, name, *_ in pdf[0].get_fonts(full=True)}
            assert any(name.endswith("+FandolFang") for name in fonts), fonts  # the text (仿宋)
            assert any(name.endswith("+Noto-Serif-CJK-SC-Bold") for name in fonts), fonts  # the title
            for name in fonts:
                _, extension, _, program = pdf.extract_font(fonts[name])
                # Fandol's outlines take about 500 bytes a glyph, Noto's 150–250: a subset, not the font.
                assert extension == "cid" and 500 < len(program) < 150_000, (name, len(program))


def test_the_assignment_has_two_copies_each_with_a_reply_slip(every_kind):
    text = pdf_text(every_kind.assignment.pdf)
    assert "第一联行业主管部门联" in text and "第二联属地平安办联" in text
    assert text.count("回执交办单：") == 2 and text.count("沿此线剪下") == 2
    assert "兰溪市消防救援大队" in text and "兰江街道平安办" in text
    with pymupdf.open(stream=every_kind.assignment.pdf) as pdf:
        first_pages = [index for index, page in enumerate(pdf) if "第二联" in page.get_text()]
        # The second copy starts on a page of its own, numbered from 1 again.
        assert first_pages and "— 1 —" in pdf[first_pages[0]].get_text()


def test_the_summons_and_the_referral_carry_their_content(every_kind):
    summons = pdf_text(every_kind.summons.pdf)
    assert "2026年3月20日（星期五）14:30" in summons and "兰溪市平安警示教育站" in summons
    assert "兰溪市消防救援大队、兰溪市市场监管局" in summons and "需携带的材料" in summons
    referral = pdf_text(every_kind.referral.pdf)
    # The grounds: the reminder, the interview and the failed follow-up, with the notices' numbers.
    for step in ("兰平安提〔2026〕1号", "兰平安约〔2026〕1号", "复查，3项隐患未整改到位", "回访仍未整改，进入三次执法"):
        assert step in referral, step


def test_the_qr_code_scanned_from_the_page_opens_its_document(every_kind, client):
    for kind in DocumentKind:
        document = getattr(every_kind, kind.value)
        codes = [url for page in qr_urls(document.pdf) for url in page]
        copies = 2 if kind == DocumentKind.assignment else 1
        assert len(codes) == copies and len(set(codes)) == 1, codes
        url = codes[0]
        assert url == issuing.verify_url(document) and url.startswith("https://pingan.example.gov.cn/v/")
        page = client.get(urlsplit(url).path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "真实有效" in html and document.number in html and document.sha256 in html
        assert TITLES[kind].removeprefix("安全隐患整改") in html and "某电子商务商行" in html
        assert short_code(url.rsplit("/", 1)[1]) in pdf_text(document.pdf)


def test_the_qr_code_is_printed_at_least_25_mm_wide_with_error_correction_m_or_better(every_kind):
    with pymupdf.open(stream=every_kind.reminder.pdf) as pdf:
        images = [info for page in pdf for info in page.get_image_info()]
        assert len(images) == 1  # the QR code; no seal image
        x0, y0, x1, y1 = images[0]["bbox"]
        assert (x1 - x0) / MM >= 25 and (y1 - y0) / MM >= 25
        pixmap = pdf[0].get_pixmap(dpi=200, colorspace=pymupdf.csGRAY)  # in the 版头's band
    barcode = zxingcpp.read_barcodes(pixmap.pil_image())[0]
    assert barcode.ec_level in ("M", "Q", "H")


def test_the_public_page_and_the_api_agree_and_every_client_s_check_is_logged(every_kind, client, database):
    document = every_kind.reminder
    token = issuing.verify_url(document).rsplit("/", 1)[1]
    client.get(f"/v/{token}", environ_base={"REMOTE_ADDR": "203.0.113.1"})
    client.get(f"/v/{token}", environ_base={"REMOTE_ADDR": "203.0.113.2"})
    answer = client.get(f"/api/v1/verify/{token}", environ_base={"REMOTE_ADDR": "203.0.113.3"}).get_json()
    assert answer["genuine"] is True and answer["number"] == document.number
    assert answer["issuer"] == "兰溪市平安办" and answer["unit_name"] == "某电子商务商行"
    assert answer["sha256"] == hashlib.sha256(document.pdf).hexdigest() and answer["status"] == "in_progress"
    checks = database.session.execute(select(DocumentCheck.channel, func.count()).where(
        DocumentCheck.document_id == document.id).group_by(DocumentCheck.channel)).all()
    assert dict(checks) == {"page": 2, "api": 1}


def test_the_public_page_shows_no_personal_data_and_fits_a_phone(every_kind, client):
    html = client.get(urlsplit(issuing.verify_url(every_kind.summons)).path).get_data(as_text=True)
    for private in ("张三", "13800000001", "inspector", "李四"):
        assert private not in html
    assert 'name="viewport"' in html and "三次执法·依法查处中" in html


def test_a_forged_or_altered_token_is_not_genuine(every_kind, client, app):
    token = issuing.verify_url(every_kind.reminder).rsplit("/", 1)[1]
    # Not the last character: its lowest bits are padding that base64 decoding ignores.
    altered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    with app.test_request_context():
        app.config["SECRET_KEY"], secret = "another-secret-key-of-a-forger", app.config["SECRET_KEY"]
        try:
            forged = issuing.verify_url(every_kind.reminder).rsplit("/", 1)[1]
        finally:
            app.config["SECRET_KEY"] = secret
    for bad in (altered, forged, "not-a-token"):
        page = client.get(f"/v/{bad}")
        assert page.status_code == 404 and "未能核验" in page.get_data(as_text=True)
        assert client.get(f"/api/v1/verify/{bad}").get_json()["genuine"] is False


def test_a_revoked_notice_says_voided_and_a_reissued_one_is_superseded(every_kind, client, county, database):
    reminder, summons = every_kind.reminder, every_kind.summons
    with at("2026-04-11"):
        issuing.revoke(reminder, county.users.office, "录入错误")
        new = issuing.reissue(summons, county.users.office, "通知书遗失，重新送达")
    database.session.commit()
    page = client.get(urlsplit(issuing.verify_url(reminder)).path).get_data(as_text=True)
    assert "已作废" in page and "录入错误" not in page  # the reason is the office's, not the public's
    assert client.get(urlsplit(issuing.verify_url(summons)).path.replace("/v/", "/api/v1/verify/")
                      ).get_json()["status"] == "superseded"
    assert "已被新版本取代" in client.get(urlsplit(issuing.verify_url(summons)).path).get_data(as_text=True)
    # The new version keeps the number, has its own bytes and token, and the old bytes are untouched.
    assert new.number == summons.number and new.version == 2 and new.status == DocumentStatus.valid
    assert new.sha256 == hashlib.sha256(new.pdf).hexdigest() != summons.sha256
    assert summons.sha256 == hashlib.sha256(summons.pdf).hexdigest()
    assert "（第2版）" in client.get(urlsplit(issuing.verify_url(new)).path).get_data(as_text=True)


def test_only_the_county_office_revokes_or_reissues_and_nothing_changes_otherwise(every_kind, county, database):
    reminder = every_kind.reminder
    for user in (county.users.east, county.users.fire, county.users.inspector, county.users.viewer):
        with pytest.raises(Forbidden):
            issuing.revoke(reminder, user, "录入错误")
        with pytest.raises(Forbidden):
            issuing.reissue(reminder, user, "遗失")
    database.session.rollback()
    assert reminder.status == DocumentStatus.valid
    assert database.session.scalar(select(func.count(Document.id)).where(Document.number == reminder.number)) == 1


def test_without_a_phone_the_number_and_short_code_find_the_notice(every_kind, client):
    document = every_kind.assignment
    url = issuing.verify_url(document)
    code = short_code(url.rsplit("/", 1)[1])
    typed = code.lower().replace("0", "o").replace("-", " ")  # as a person might type it
    response = client.get("/v", query_string={"number": f" {document.number} ", "code": typed})
    assert response.status_code == 302 and response.headers["Location"].endswith(urlsplit(url).path)
    # the number typed with other brackets, spaces, full-width digits or without 号 finds it too
    for variant in (document.number.replace("〔", "[").replace("〕", "]"),
                    document.number.replace("〔", "【").replace("〕", "】").rstrip("号"),
                    document.number.replace("〔", "（").replace("〕", "）").replace("2026", "２０２６ "),
                    document.number.replace("〔", "(").replace("〕", ")")):
        found = client.get("/v", query_string={"number": variant, "code": code})
        assert found.status_code == 302, variant
    wrong = client.get("/v", query_string={"number": document.number, "code": "ZZZZ-ZZZZ"})
    assert wrong.status_code == 404 and "不匹配" in wrong.get_data(as_text=True)
    assert client.get("/v").status_code == 200


def test_a_unit_name_that_looks_like_markup_prints_as_text(county, database):
    name = '<img src="file:///etc/passwd">某店'
    unit = create_unit(county.users.admin, name=name, region=county.east, address="兰江街道<b>振兴路</b>2号",
                       category="商铺")
    with at("2026-03-02"):
        inspect(county, unit, "XF-01")
    document = database.session.scalar(select(Document).where(Document.unit_id == unit.id))
    text = pdf_text(document.pdf)
    assert name.replace(" ", "") in text and "<b>振兴路</b>" in text
    with pymupdf.open(stream=document.pdf) as pdf:
        assert sum(len(page.get_image_info()) for page in pdf) == 1  # only the QR code


def test_a_one_finding_reminder_stays_small(county, database):
    with at("2026-03-02"):
        inspect(county, county.units.market, "SP-01")
    document = database.session.scalar(select(Document).where(Document.unit_id == county.units.market.id))
    with pymupdf.open(stream=document.pdf) as pdf:
        # GB/T 9704 puts the issuer's mark 35 mm into the type area and keeps the seal's place free: two pages,
        # the second ending with the 版记 (any page after it, such as a 送达回证, is not the notice's).
        notice_pages = next(index for index, page in enumerate(pdf) if "印发" in page.get_text()) + 1
        assert notice_pages == 2
        assert pdf.page_count == 3  # then its 送达回证 on a page of its own
        assert "送达回证" in pdf[2].get_text() and "送达回证" not in pdf[1].get_text()
    assert document.size == len(document.pdf) < 150 * 1024


def test_a_referral_after_a_manual_escalation_gives_the_offices_reason(county, database):
    with at("2026-03-02"):
        case = inspect(county, county.units.factory, "SC-01").findings[0].case
    with at("2026-03-03"):
        ladder.escalate(case, county.users.office, "存在重大隐患且拒不整改", to_stage=Stage.enforcement)
    referral = database.session.scalar(select(Document).where(Document.kind == DocumentKind.referral))
    text = pdf_text(referral.pdf)
    assert "因存在重大隐患且拒不整改，兰溪市平安办决定将其提级" in text and "回访时安全隐患仍未整改到位" not in text
    assert "经研究决定提级处理，进入三次执法（理由：存在重大隐患且拒不整改）" in text and "兰溪市应急管理局" in text
    assert "手动升级" not in text  # the office's words, not the system's


def test_the_layout_follows_gb_t_9704(every_kind):
    with pymupdf.open(stream=every_kind.summons.pdf) as pdf:
        spans = [span for block in pdf[0].get_text("dict")["blocks"] for line in block.get("lines", ())
                 for span in line["spans"] if span["text"].strip()]
    title = next(span for span in spans if span["text"] == "警示约谈通知书")
    assert round(title["size"]) == 22 and title["font"].endswith("Noto-Serif-CJK-SC-Bold")
    body = [span for span in spans if round(span["size"]) == 16 and span["font"].endswith("FandolFang")]
    assert len(body) > 10
    # Type area: 28 mm from the left edge, 37 mm from the top, 156 mm wide.
    assert min(span["bbox"][0] for span in spans) == pytest.approx(28 * MM, abs=1)
    assert min(span["bbox"][1] for span in spans) >= 37 * MM - 1
    assert max(span["bbox"][2] for span in spans) <= (28 + 156) * MM + 1
    # A fixed line pitch of 28.9 pt (22 lines in the 225 mm type area) between body lines of one paragraph.
    tops = sorted({round(span["origin"][1], 1) for span in body})
    pitches = {round(later - earlier, 1) for earlier, later in itertools.pairwise(tops)}
    assert 28.9 in pitches


def test_a_reissued_notice_keeps_its_number_after_the_office_changes_its_prefix(every_kind, county, database):
    from inspect_loop.regions.operations import update_department

    reminder = every_kind.reminder
    with at("2026-04-11"):
        update_department(county.users.admin, county.office, doc_prefix="兰溪平安")
        new = issuing.reissue(reminder, county.users.office, "原件遗失")
        fresh = inspect(county, county.units.factory, "XF-02").findings[0]
    assert new.number == reminder.number and new.number.startswith("兰平安提")
    later = database.session.scalar(select(Document).where(Document.inspection_id == fresh.inspection_id))
    assert later.number.startswith("兰溪平安提〔2026〕")
