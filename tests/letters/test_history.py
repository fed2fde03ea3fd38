"""The history (处置经过) a 交办单 and an 执法建议书 print, read back from their PDFs: the interview on the day it
was held, every line in the order things happened, an official's words, no internal ids; and the 执法建议书's
legal basis and feedback date."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import select

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.cases import ladder
from inspect_loop.cases.models import Stage
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.enforcement.feedback import feedback_due_on
from inspect_loop.errors import Conflict
from inspect_loop.interviews.operations import convene_round, record_attendance
from inspect_loop.letters import context as letter_context
from inspect_loop.letters.models import Document, DocumentKind
from inspect_loop.letters.render import render_letter
from tests.factories import inspect
from tests.helpers import at
from tests.letters.conftest import document_of, pdf_text, to_warning

# What a database id or a system's word looks like on paper.
INTERNAL_ID = re.compile(r"#\d|案件\s*\d|编号[:：]?\s*\d|\bid\b|\bID\b|round|case", re.IGNORECASE)
SYSTEM_WORDS = ("手动", "升级", "系统", "录入", "操作")


def history_lines(text: str) -> list[str]:
    """The history table's lines: each starts with a date."""
    table = re.split("二、|核验码", text.split("处置情况", 1)[1])[0]
    return re.findall(r"\d{4}年\d{1,2}月\d{1,2}日[^年]*?。", table)


@pytest.fixture
def morning_round(county, database):
    """A case summoned to a round held at 09:00 on 3月20日, its 交办单 issued at 16:00 the same day, and the
    attendance typed in only on 3月23日; then escalated to 三次执法 by the office."""
    case = to_warning(county, county.units.shop, "XF-01", "SC-01")
    with at("2026-03-19", 9):
        interview_round = convene_round(
            county.users.office, held_at=datetime(2026, 3, 20, 9, 0, tzinfo=LOCAL_TZ), venue="兰溪市平安警示教育站",
            convened_by=county.office, departments=[county.fire], cases=[case])
    with at("2026-03-20", 16):
        issue_assignment(county.users.office, case, county.fire)
    with at("2026-03-23", 10):
        record_attendance(county.users.office, interview_round, case, attended=True, attendee_name="李四")
    with at("2026-04-10", 15):
        ladder.escalate(case, county.users.office, "交办后仍拒不整改。", to_stage=Stage.enforcement)
    database.session.commit()
    return case


def test_the_interview_is_dated_the_day_it_was_held_not_the_day_attendance_was_typed(morning_round, database):
    text = pdf_text(document_of(database, DocumentKind.referral).pdf)
    assert "2026年3月20日参加警示约谈。" in text
    assert "2026年3月23日" not in text


def test_the_lines_of_one_day_follow_the_clock(morning_round, database):
    lines = history_lines(pdf_text(document_of(database, DocumentKind.referral).pdf))
    interview = lines.index("2026年3月20日参加警示约谈。")
    order = lines.index("2026年3月20日签发《安全隐患整改交办单》（兰平安交〔2026〕1号）。")
    # Held at 09:00, the 交办单 at 16:00: a fixed order of kinds (notices before interviews) would swap them.
    assert interview < order
    assert lines[0].startswith("2026年3月2日暗访检查发现隐患2项")
    assert lines[-1] == "2026年4月10日经研究决定提级处理，进入三次执法（理由：交办后仍拒不整改）。"
    days = [date(*map(int, re.match(r"(\d+)年(\d+)月(\d+)日", line).groups())) for line in lines]
    assert days == sorted(days)


def test_the_history_speaks_in_an_official_s_words_without_internal_ids(morning_round, database, county):
    with at("2026-03-21"):
        ladder.escalate(inspect(county, county.units.market, "SP-01").findings[0].case, county.users.office,
                        "无故缺席警示约谈", to_stage=Stage.warning)
    database.session.commit()
    for kind in (DocumentKind.assignment, DocumentKind.referral):
        for document in database.session.scalars(select(Document).where(Document.kind == kind)):
            text = pdf_text(document.pdf)
            table = " ".join(history_lines(text))
            assert table and not [word for word in SYSTEM_WORDS if word in table], (document.number, table)
            assert not INTERNAL_ID.search(text.replace(document.number, "")), text
    referral = pdf_text(document_of(database, DocumentKind.referral).pdf)
    assert "签发《整改提醒通知书》（兰平安提〔2026〕1号）" in referral
    assert "签发《警示约谈通知书》（兰平安约〔2026〕1号）" in referral


def test_a_manual_move_to_warning_reads_as_the_office_s_decision(county, database):
    with at("2026-03-02"):
        case = inspect(county, county.units.factory, "SC-01").findings[0].case
    with at("2026-03-03"):
        ladder.escalate(case, county.users.office, "存在重大隐患", to_stage=Stage.warning)
    with at("2026-03-04"):
        issue_assignment(county.users.office, case, county.emergency)
    database.session.commit()
    text = pdf_text(document_of(database, DocumentKind.assignment).pdf)
    assert "2026年3月3日经研究决定提级处理，进入二次警示（理由：存在重大隐患）。" in text


def test_attendance_is_refused_before_the_round_s_time_and_nothing_changes(county, database):
    case = to_warning(county, county.units.shop, "XF-01")
    with at("2026-03-19", 9):
        interview_round = convene_round(
            county.users.office, held_at=datetime(2026, 3, 20, 14, 30, tzinfo=LOCAL_TZ), venue="警示教育站",
            convened_by=county.office, departments=[county.fire], cases=[case])
    database.session.commit()
    with at("2026-03-20", 14, 29), pytest.raises(Conflict) as early:
        record_attendance(county.users.office, interview_round, case, attended=True, attendee_name="李四")
    assert "约谈尚未开始（2026-03-20 14:30）" in early.value.message_zh
    assert "has not begun" in early.value.message_en and early.value.http_status == 409
    database.session.rollback()
    assert interview_round.summonses[0].attended is None
    with at("2026-03-20", 14, 30):
        summons = record_attendance(county.users.office, interview_round, case, attended=False)
    assert summons.attended is False


def test_the_referral_sets_its_feedback_date_fifteen_working_days_after_issue(morning_round, database):
    text = pdf_text(document_of(database, DocumentKind.referral).pdf)
    # Issued on Friday 2026-04-10; the 劳动节 holidays (5月1日–5日) do not count.
    assert feedback_due_on(date(2026, 4, 10)) == date(2026, 5, 6)
    assert "请于2026年5月6日前将处理结果书面反馈本办。" in text


def test_the_referral_cites_each_finding_s_legal_basis_when_the_catalogue_has_one(morning_round, database):
    referral = document_of(database, DocumentKind.referral)
    data = letter_context.common(referral, "https://example.test/v/x", "ABCD-EFGH", "https://example.test/v")
    data |= letter_context.referral(morning_round, ["兰溪市消防救援大队"], date(2026, 5, 6))
    assert "依据：" not in pdf_text(render_letter("referral", data))  # none in the catalogue: no line
    data["findings"][0]["legal_basis"] = "《中华人民共和国消防法》第十六条"
    data["findings"][1]["legal_basis"] = ""
    text = pdf_text(render_letter("referral", data))
    # Under the finding in the table of findings still open, as on every notice; once, not twice.
    assert text.count("依据：《中华人民共和国消防法》第十六条") == 1
    assert text.count("依据：") == 1

