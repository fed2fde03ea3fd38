"""Rendering a letter template to PDF with WeasyPrint: the one place notices become bytes.

Template data, common to every kind (``context.common``): ``number``, ``issuer_name`` (the short name the
text uses), ``issuer_full_name`` (发文机关全称: 版头, 落款, 版记), ``issuer_has_powers`` (the wording within powers,
docs/letters.md), ``issued_on``, ``unit`` {name, address, uscc}, ``contact``
({person, phone} for the 附注, or None), ``copy_to`` (office names for 抄送), ``verify_url`` (in the QR code),
``verify_code`` and ``verify_lookup_url`` (printed beside it), ``service_receipt`` (a 送达回证 page at the end);
then per kind what ``context.py`` builds.

The Jinja environment, the stylesheet and WeasyPrint's font configuration are built once per process and
reused: parsing the CSS and loading the fonts cost more than laying out a one-page notice. Many notices at
once (an interview round's summonses) are rendered by a pool of processes, one per core (``render_many``).
"""

import base64
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from inspect_loop.letters.fonts import embed_bare_cff, single_pass_subsetting
from inspect_loop.letters.qr import qr_png

LETTERS_DIR = (Path(__file__).resolve().parent.parent.parent / "letters").resolve()
STYLESHEET = LETTERS_DIR / "letter.css"
# The GB/T 9704 faces (仿宋, 黑体, 楷体), put in this git-ignored folder by ``font_setup`` (``make fonts``):
# the family letter.css names → its file. A face whose file is missing is not declared, and the stylesheet's
# next family (Noto CJK, a Debian package) takes its place.
FONTS_DIR = LETTERS_DIR / "fonts"
LETTER_FACES = {"FandolFang": "FandolFang-Regular.otf", "FandolHei": "FandolHei-Regular.otf",
                "FandolKai": "FandolKai-Regular.otf"}

WEEKDAYS = "一二三四五六日"

# Below this many notices a pool costs more to start than it saves: 0.3 s for two workers, 1.4 s the first
# time (the forkserver imports WeasyPrint), against about 0.1 s a notice.
POOL_MINIMUM = 16

# WeasyPrint's documents share the font configuration; its FreeType faces are not safe to use from two
# threads at once, and a threaded server (flask run, gunicorn --threads) may issue two notices together.
# The lock also scopes fonts.single_pass_subsetting to one rendering at a time.
_render_lock = threading.Lock()


class LetterAssetFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to ``data:`` URIs and files inside ``letters/``: a notice never
    reads the server's files or the network, whatever text a user typed into it. A refused URL stops the
    rendering: a notice is never issued with a part missing."""

    def __init__(self):
        super().__init__(allowed_protocols=("data", "file"), allow_redirects=False, fail_on_errors=True)

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and parts.netloc in ("", "localhost"):
            path = Path(unquote(parts.path)).resolve()
            if path.is_relative_to(LETTERS_DIR) and path.is_file():
                return super().fetch(path.as_uri(), headers)
        raise ValueError(f"letters may not load {url[:200]!r}")


def cn_date(value: date | datetime | None) -> str:
    """2026年10月9日 — the date form of official documents (GB/T 9704: Arabic numerals, no leading zero)."""
    if value is None:
        return ""
    return f"{value.year}年{value.month}月{value.day}日"


def cn_datetime(value: datetime | None) -> str:
    """2026年3月20日（星期五）14:30"""
    if value is None:
        return ""
    return f"{cn_date(value)}（星期{WEEKDAYS[value.weekday()]}）{value.hour:02d}:{value.minute:02d}"


def sentence(text: str) -> str:
    """End a list item with a full stop unless it already ends with punctuation."""
    text = (text or "").rstrip()
    return text if not text or text[-1] in "。；！？：，" else text + "。"


def clause(text: str) -> str:
    """Text to run on into a sentence: without its closing punctuation."""
    return (text or "").strip().rstrip("。；！？，.;!?, ")


@lru_cache(maxsize=16)
def qr_data_uri(url: str) -> Markup:
    """The QR code as a data URI; a 交办单 prints it on both copies, so it is drawn once."""
    return Markup("data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii"))


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(LETTERS_DIR), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(cn_date=cn_date, cn_datetime=cn_datetime, sentence=sentence, clause=clause,
                               qr_data_uri=qr_data_uri)
    return environment


def font_face_rules() -> str:
    """An @font-face rule for each letter face whose file is installed."""
    return "".join(f'@font-face {{ font-family: "{family}"; src: url("fonts/{file_name}"); }}\n'
                   for family, file_name in LETTER_FACES.items() if (FONTS_DIR / file_name).is_file())


@cache
def _fonts_and_stylesheets() -> tuple[FontConfiguration, list[CSS]]:
    fonts = FontConfiguration()
    faces = CSS(string=font_face_rules(), base_url=LETTERS_DIR.as_uri() + "/", font_config=fonts,
                url_fetcher=LetterAssetFetcher())
    return fonts, [faces, CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=LetterAssetFetcher())]


@cache
def printed_title(kind: str) -> str:
    """The title a notice of ``kind`` prints: its template's ``heading`` block, read from the template itself
    so the verification page and the paper cannot disagree."""
    template = _environment().get_template(f"{kind}.html")
    return "".join("".join(template.blocks["heading"](template.new_context({}))).split())


def render_html(kind: str, context: dict) -> str:
    return _environment().get_template(f"{kind}.html").render(context)


def html_to_pdf(markup: str) -> bytes:
    fonts, stylesheets = _fonts_and_stylesheets()
    with _render_lock, single_pass_subsetting():
        return HTML(string=markup, base_url=LETTERS_DIR.as_uri() + "/", url_fetcher=LetterAssetFetcher()).write_pdf(
            stylesheets=stylesheets, font_config=fonts, pdf_identifier=False, uncompressed_pdf=False,
            finisher=embed_bare_cff)


def render_letter(kind: str, context: dict) -> bytes:
    """The PDF of a notice of ``kind`` (reminder, summons, assignment, referral)."""
    return html_to_pdf(render_html(kind, context))


def _warm_up() -> None:
    _fonts_and_stylesheets()


def pool_size(count: int) -> int:
    """How many processes render ``count`` notices: one per core this process may use; none (render here)
    for a few notices or on a single core."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(cores, count) if count >= POOL_MINIMUM and cores > 1 else 0


def render_many(markups: list[str]) -> list[bytes]:
    """The PDFs of many notices' HTML, in order.

    Rendering is a pure function of the HTML, so the workers touch no database: the caller numbers the
    notices and builds their HTML inside its transaction, and stores the bytes in the same transaction.
    Workers are forked from multiprocessing's forkserver process, which has imported this module and
    nothing else — never from this process, which may hold threads and database connections — and exit
    when the batch is done."""
    workers = pool_size(len(markups))
    if not workers:
        return [html_to_pdf(markup) for markup in markups]
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_warm_up) as pool:
        return list(pool.map(html_to_pdf, markups, chunksize=max(1, len(markups) // (workers * 4))))
