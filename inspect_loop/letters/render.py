"""Rendering a letter template to PDF with WeasyPrint: the one place notices become bytes.

Template data, common to every kind (``context.common``): ``number``, ``issuer_name``, ``issued_on``,
``unit`` {name, address, uscc}, ``verify_url``, ``verify_code``; then per kind what ``context.py`` builds.

The Jinja environment, the stylesheet and WeasyPrint's font configuration are built once per process and
reused: parsing the CSS and loading the fonts cost more than laying out a one-page notice.
"""

import base64
import threading
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from inspect_loop.letters.qr import qr_png

LETTERS_DIR = (Path(__file__).resolve().parent.parent.parent / "letters").resolve()
STYLESHEET = LETTERS_DIR / "letter.css"

SEVERITY_LABELS = {"general": "一般", "major": "重大"}

# WeasyPrint's documents share the font configuration; its FreeType faces are not safe to use from two
# threads at once, and a threaded server (flask run, gunicorn --threads) may issue two notices together.
_render_lock = threading.Lock()


class LetterAssetFetcher(URLFetcher):
    """WeasyPrint's URL fetcher, limited to ``data:`` URIs and files inside ``letters/``: a notice never
    reads the server's files or the network, whatever text a user typed into it."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file" and not parts.netloc:
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
    if value is None:
        return ""
    return f"{cn_date(value)} {value.hour:02d}:{value.minute:02d}"


def sentence(text: str) -> str:
    """End a list item with a full stop unless it already ends with punctuation."""
    text = (text or "").rstrip()
    return text if not text or text[-1] in "。；！？：，" else text + "。"


def qr_data_uri(url: str) -> Markup:
    return Markup("data:image/png;base64," + base64.b64encode(qr_png(url)).decode("ascii"))


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(LETTERS_DIR), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    environment.filters.update(cn_date=cn_date, cn_datetime=cn_datetime, sentence=sentence,
                               qr_data_uri=qr_data_uri, severity_label=lambda value: SEVERITY_LABELS[value])
    return environment


@cache
def _fonts_and_stylesheet() -> tuple[FontConfiguration, CSS]:
    fonts = FontConfiguration()
    return fonts, CSS(filename=str(STYLESHEET), font_config=fonts, url_fetcher=LetterAssetFetcher())


def render_html(kind: str, context: dict) -> str:
    return _environment().get_template(f"{kind}.html").render(context)


def html_to_pdf(markup: str) -> bytes:
    fonts, stylesheet = _fonts_and_stylesheet()
    with _render_lock:
        return HTML(string=markup, base_url=LETTERS_DIR.as_uri() + "/", url_fetcher=LetterAssetFetcher()).write_pdf(
            stylesheets=[stylesheet], font_config=fonts, pdf_identifier=False, uncompressed_pdf=False)


def render_letter(kind: str, context: dict) -> bytes:
    """The PDF of a notice of ``kind`` (reminder, summons, assignment, referral)."""
    return html_to_pdf(render_html(kind, context))
