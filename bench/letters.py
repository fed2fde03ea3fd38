"""How fast notices render, and how large they are, against WeasyPrint's own floor on this machine.

    .venv/bin/python -m bench.letters [--count 200]

The floor is a one-line Chinese document rendered the same way (same stylesheet, same font configuration,
same font compaction): what any notice costs before it has content; a second floor adds a bold title line,
because every notice embeds both faces. Then ``count`` notices — the four kinds
in turn, with realistic content and their QR codes — one after another in this process, then as one batch
through the process pool the issuing code uses, then merged into one PDF for printing. No database: the
templates get the same data ``letters.context`` builds.
"""

import argparse
import os
import statistics
import time
from datetime import date, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace

import pymupdf

from inspect_loop.letters.batch import merged_pdf
from inspect_loop.letters.context import REFERRAL_GROUNDS, SUMMONS_BRING
from inspect_loop.letters.models import SERVED_KINDS
from inspect_loop.letters.render import html_to_pdf, pool_size, render_html, render_many

FLOOR_HTML = '<!DOCTYPE html><html lang="zh-CN"><body><p>兰溪市平安办整改提醒通知书。</p></body></html>'
# Every notice sets its title in the bold face and its text in the regular one, and each face is subset and
# embedded on its own: the floor of a notice is two faces.
FLOOR_TWO_FACES_HTML = ('<!DOCTYPE html><html lang="zh-CN"><body><h1>整改提醒通知书</h1>'
                        '<p>兰溪市平安办。</p></body></html>')
KINDS = ("reminder", "summons", "assignment", "referral")
HAZARDS = [("消防安全", "应急照明灯未接通电源", "疏散通道应急照明灯电源线脱落", "《中华人民共和国消防法》第十六条第一款第（二）项"),
           ("用电安全", "配电箱接线混乱裸露", "仓库配电箱无盖板，线路私拉乱接", "《中华人民共和国消防法》第二十七条第二款"),
           ("燃气安全", "液化气钢瓶未安装报警装置", "", "《中华人民共和国安全生产法》第三十六条第四款"),
           ("生产安全", "危险化学品储存不规范", "油漆稀释剂与杂物混放", "")]


def notice_context(kind: str, index: int) -> dict:
    found = date(2026, 3, 2) + timedelta(days=index % 20)
    findings = [{"category": category, "hazard_title": title, "description": description,
                 "severity": "major" if number == 3 else "general", "found_on": found,
                 "deadline": found + timedelta(days=7 + number), "legal_basis": basis,
                 "original_deadline": None}
                for number, (category, title, description, basis) in enumerate(HAZARDS[:1 + index % 4])]
    history = [{"on": found, "text": "暗访检查发现隐患3项"},
               {"on": found, "text": f"签发《整改提醒通知书》（兰平安提〔2026〕{index + 1}号）"},
               {"on": found + timedelta(days=10), "text": "复查，2项隐患未整改到位"},
               {"on": found + timedelta(days=10), "text": "复查未整改，进入二次警示"}]
    data = {
        "number": f"兰平安{'提约交执'[KINDS.index(kind)]}〔2026〕{index + 1}号", "issuer_name": "兰溪市平安办",
        "issuer_full_name": "兰溪市平安建设领导小组办公室", "issuer_has_powers": False,
        "contact": {"person": "王晓明", "phone": "0579-88881234"}, "copy_to": ["兰溪市消防救援大队", "兰江街道平安办"],
        "issued_on": found, "unit": {"name": f"兰江街道第{index + 1}号商铺", "address": f"兰江街道振兴路{index + 1}号",
                                     "uscc": "91330781MA2HXXXX0X"},
        "verify_url": f"https://pingan.lanxi.gov.cn/v/WzEsInhWSW90Y1dFajd3RFJCUmlZWVFYV2ciXQ.{index:043d}",
        "verify_code": "K7Q2-9XMD", "verify_lookup_url": "https://pingan.lanxi.gov.cn/v", "findings": findings,
        "service_receipt": kind in SERVED_KINDS,
    }
    extra = {
        "reminder": {"inspection": {"kind_label": "暗访", "inspected_on": found},
                     "report_office": {"name": "兰溪市兰江街道平安建设办公室", "address": "兰溪市兰江街道振兴路88号",
                                       "phone": "0579-88912110"}},
        "summons": {"round": {"number": 3, "held_at": datetime(2026, 3, 27, 14, 30), "venue": "兰溪市平安警示教育站",
                              "venue_address": "兰溪市丹溪大道1号市社会治理中心一楼",
                              "convener_name": "兰溪市平安建设领导小组办公室",
                              "departments": ["兰溪市消防救援大队", "兰溪市市场监管局"]},
                    "bring": list(SUMMONS_BRING), "contact_office": "兰溪市平安建设领导小组办公室"},
        "assignment": {"assignment": {"deadline": found + timedelta(days=30)}, "regulator": {"name": "兰溪市消防救援大队"},
                       "territorial": {"name": "兰江街道平安办"}, "case_history": history},
        "referral": {"history": history, "recipients": ["兰溪市消防救援大队", "兰溪市应急管理局"], "escalation_reason": None, "operating_while_closed": None,
                     "grounds": REFERRAL_GROUNDS, "feedback_due_on": found + timedelta(days=21)},
    }[kind]
    return data | extra


def pages_of(pdf: bytes) -> int:
    with pymupdf.open(stream=BytesIO(pdf)) as document:
        return document.page_count


def timed(function, *arguments):
    start = time.perf_counter()
    result = function(*arguments)
    return result, time.perf_counter() - start


def cpu_timed(function, *arguments):
    """The result and the CPU time of this process: unlike the wall clock, not lengthened when other
    work on the machine takes the cores."""
    start = time.process_time()
    result = function(*arguments)
    return result, time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    count = parser.parse_args().count
    load = os.getloadavg()[0]  # other work on the machine slows every figure below

    html_to_pdf(FLOOR_HTML)  # fonts and stylesheet loaded once, as in a running server
    html_to_pdf(FLOOR_TWO_FACES_HTML)
    floor_runs, two_face_runs = [], []
    for _ in range(50):  # interleaved, so that a burst of other work on the machine hits both alike
        floor_runs.append(cpu_timed(html_to_pdf, FLOOR_HTML))
        two_face_runs.append(cpu_timed(html_to_pdf, FLOOR_TWO_FACES_HTML))
    floor_seconds = statistics.median(seconds for _, seconds in floor_runs)
    floor_kb = len(floor_runs[0][0]) / 1024
    two_face_seconds = statistics.median(seconds for _, seconds in two_face_runs)

    markups = [render_html(KINDS[index % 4], notice_context(KINDS[index % 4], index)) for index in range(count)]
    serial, serial_seconds = [], time.perf_counter()
    for markup in markups:
        serial.append(cpu_timed(html_to_pdf, markup))
    serial_seconds = time.perf_counter() - serial_seconds
    serial_cpu = sum(seconds for _, seconds in serial)
    pdfs = [pdf for pdf, _ in serial]
    per_kind = {kind: [serial[index] for index in range(count) if KINDS[index % 4] == kind] for kind in KINDS}

    pooled, pool_seconds = timed(render_many, markups)
    assert [len(pdf) for pdf in pooled] == [len(pdf) for pdf in pdfs]
    merged, merge_seconds = timed(merged_pdf, [SimpleNamespace(pdf=pdf) for pdf in pdfs])
    merged_pages = pages_of(merged)
    one_page = [pdf for pdf in pdfs if pages_of(pdf) == 1]

    print(f"Processes in the pool: {pool_size(count)}; load average before the run: {load:.2f}")
    print("CPU time per notice (one process), and what it allows one core; the pool line is wall-clock time.")
    print("| what | CPU per notice | notices/s | KB per notice | vs floor | vs two-face floor |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| floor: one-line CJK document | {floor_seconds * 1000:.0f} ms | {1 / floor_seconds:.1f} | "
          f"{floor_kb:.1f} | 1.0× | |")
    print(f"| floor, two faces: a bold title and one line | {two_face_seconds * 1000:.0f} ms | "
          f"{1 / two_face_seconds:.1f} | {len(two_face_runs[0][0]) / 1024:.1f} | "
          f"{two_face_seconds / floor_seconds:.1f}× | 1.0× |")
    for kind, runs in per_kind.items():
        seconds = statistics.median(run_seconds for _, run_seconds in runs)
        kb = statistics.mean(len(pdf) for pdf, _ in runs) / 1024
        pages = statistics.mean(pages_of(pdf) for pdf, _ in runs)
        print(f"| {kind} ({pages:.1f} pages) | {seconds * 1000:.0f} ms | {1 / seconds:.1f} | {kb:.1f} | "
              f"{seconds / floor_seconds:.1f}× | {seconds / two_face_seconds:.1f}× |")
    each = serial_cpu / count
    print(f"| {count} notices, one process | {each * 1000:.0f} ms | {count / serial_cpu:.1f} | "
          f"{sum(map(len, pdfs)) / count / 1024:.1f} | {each / floor_seconds:.1f}× | {each / two_face_seconds:.1f}× |")
    print(f"| {count} notices, one process, wall clock | {serial_seconds / count * 1000:.0f} ms | "
          f"{count / serial_seconds:.1f} | | | |")
    print(f"| {count} notices, process pool (`render_many`), wall clock | {pool_seconds / count * 1000:.0f} ms | "
          f"{count / pool_seconds:.1f} | | | |")
    print(f"\nLoad average after the run: {os.getloadavg()[0]:.2f}")
    print()
    print(f"Merged batch of {count} notices: {merged_pages} pages, {len(merged) / 1024:.0f} KB, "
          f"{len(merged) / merged_pages / 1024:.1f} KB per page (stored PDFs concatenated: "
          f"{sum(map(len, pdfs)) / sum(map(pages_of, pdfs)) / 1024:.1f} KB per page); merged in {merge_seconds:.2f} s.")
    if one_page:
        print(f"One-page notices: {len(one_page)}, largest {max(map(len, one_page)) / 1024:.1f} KB.")


if __name__ == "__main__":
    main()
