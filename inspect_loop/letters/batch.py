"""Printing in batches: every summons of an interview round, every reminder of a day, as one PDF.

Each notice is printed exactly as issued: its stored pages — content streams, QR code image — are copied
unchanged, never re-rendered (the matter may have moved on since, and the stored bytes are the ones whose
SHA-256 the QR page shows). What is shared is the font: every notice embeds its own subset of the same
face (about 60 KB), so two hundred notices concatenated would carry two hundred copies of the common
characters. The batch gathers the glyphs of all subsets of one face into one font program and points every
page at it. This is sound because the pages address glyphs by CID and every subset of one face holds each
CID's glyph unchanged (``fonts.single_pass_subsetting``); the merge checks that — same CID, same outline, same
private dictionary, same width and text — and keeps a notice's own font wherever anything differs (another
face, another version of the font).
"""

import hashlib
import re
import string
from dataclasses import dataclass, field
from datetime import date
from io import BytesIO
from types import SimpleNamespace

from fontTools.cffLib import CFFFontSet
from fontTools.misc.psCharStrings import T2CharString
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)
from sqlalchemy import select
from sqlalchemy.orm import undefer

from inspect_loop.db import db
from inspect_loop.interviews.models import InterviewRound
from inspect_loop.letters.models import Document, DocumentKind, DocumentStatus
from inspect_loop.units.models import Unit


def summons_documents(interview_round: InterviewRound) -> dict[int, Document]:
    """The current (valid) 约谈通知书 of each summons of the round, by summons id."""
    summons_ids = [summons.id for summons in interview_round.summonses]
    if not summons_ids:
        return {}
    documents = db.session.scalars(select(Document).where(
        Document.kind == DocumentKind.summons, Document.summons_id.in_(summons_ids),
        Document.status == DocumentStatus.valid).options(undefer(Document.pdf)).order_by(Document.id))
    return {document.summons_id: document for document in documents}


def reminders_of_day(day: date, county_id: int | None = None) -> list[Document]:
    """Every valid 整改提醒通知书 issued on ``day`` (in one county, or everywhere), in number order."""
    statement = select(Document).join(Unit, Unit.id == Document.unit_id).where(
        Document.kind == DocumentKind.reminder, Document.issued_on == day, Document.status == DocumentStatus.valid)
    if county_id is not None:
        statement = statement.where(Unit.county_id == county_id)
    return list(db.session.scalars(statement.options(undefer(Document.pdf))
                                   .order_by(Document.issuer_id, Document.year, Document.serial)))


def merged_pdf(documents: list[Document]) -> bytes:
    """The stored PDFs one after another, each page as issued, the fonts of one face shared (see above)."""
    writer = PdfWriter()
    faces: list[_Face] = []
    for document in documents:
        reader = PdfReader(BytesIO(document.pdf))
        for page in reader.pages:
            fonts = page.get("/Resources", {}).get("/Font")
            for name, reference in list((fonts or {}).items()):
                subset = _read_subset(reference.get_object())
                if subset is None:
                    continue
                face = next((face for face in faces if face.accepts(subset)), None)
                if face is None:
                    face = _Face(writer._add_object(DictionaryObject()))
                    faces.append(face)
                face.add(subset)
                fonts.get_object()[NameObject(name)] = face.reference
            writer.add_page(page)
    for face in faces:
        face.write(writer)
    buffer = BytesIO()
    writer.compress_identical_objects()
    writer.write(buffer)
    return buffer.getvalue()


# ---- one embedded subset, read back -------------------------------------------------------------------

SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
BFCHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


@dataclass
class _Subset:
    name: str
    font_set: CFFFontSet
    glyphs: dict[int, tuple[bytes, tuple]]  # CID → (charstring, key of its font dictionary)
    font_dicts: dict[tuple, object]  # key → the CFF font dictionary (FDArray entry) with its Private
    widths: dict[int, float]
    to_unicode: dict[int, bytes]  # CID → UTF-16BE hex
    descriptor: DictionaryObject


def _font_dict_key(font_dict) -> tuple:
    private = font_dict.Private.rawDict
    return font_dict.FontName, tuple(sorted((key, repr(value)) for key, value in private.items()))


def _widths(array) -> dict[int, float] | None:
    widths, items, position = {}, list(array), 0
    while position < len(items):
        first = int(items[position])
        if position + 1 < len(items) and isinstance(items[position + 1].get_object(), ArrayObject):
            for offset, width in enumerate(items[position + 1].get_object()):
                widths[first + offset] = float(width)
            position += 2
        elif position + 2 < len(items):
            for cid in range(first, int(items[position + 1]) + 1):
                widths[cid] = float(items[position + 2])
            position += 3
        else:
            return None
    return widths


def _to_unicode(stream) -> dict[int, bytes] | None:
    data = stream.get_data()
    if b"beginbfrange" in data:
        return None
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in BFCHAR.findall(block):
            mapping[int(code, 16)] = text.upper()
    return mapping


def _read_subset(font: DictionaryObject) -> _Subset | None:
    """A CID-keyed CFF subset as ``fonts.embed_bare_cff`` embeds it, or None for any other font."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" or "/ToUnicode" not in font:
        return None
    descendant = font["/DescendantFonts"][0].get_object()
    if descendant.get("/Subtype") != "/CIDFontType0" or "/W" not in descendant:
        return None
    descriptor = descendant["/FontDescriptor"].get_object()
    program = descriptor.get("/FontFile3")
    if program is None or program.get_object().get("/Subtype") != "/CIDFontType0C":
        return None
    widths, to_unicode = _widths(descendant["/W"]), _to_unicode(font["/ToUnicode"].get_object())
    if widths is None or to_unicode is None:
        return None
    font_set = CFFFontSet()
    font_set.decompile(BytesIO(program.get_object().get_data()), None)
    top = font_set.topDictIndex[0]
    if not hasattr(top, "ROS") or len(font_set.GlobalSubrs):
        return None
    font_dicts, glyphs = {}, {}
    for name in top.charset:
        charstring, selector = top.CharStrings.getItemAndSelector(name)
        font_dict = top.FDArray[selector]
        if hasattr(font_dict.Private, "Subrs"):
            return None  # charstrings that call local subroutines cannot move to another program
        key = _font_dict_key(font_dict)
        font_dicts[key] = font_dict
        if charstring.bytecode is None:
            charstring.compile()
        glyphs[0 if name == ".notdef" else int(name.removeprefix("cid"))] = (charstring.bytecode, key)
    return _Subset(SUBSET_TAG.sub("", str(font["/BaseFont"]).lstrip("/")), font_set, glyphs, font_dicts, widths,
                   to_unicode, descriptor)


# ---- one face, gathered from many subsets --------------------------------------------------------------

@dataclass
class _Face:
    reference: IndirectObject  # the shared Type0 font every page of the batch points at, filled by write()
    first: _Subset | None = None
    glyphs: dict[int, tuple[bytes, tuple]] = field(default_factory=dict)
    font_dicts: dict[tuple, object] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    to_unicode: dict[int, bytes] = field(default_factory=dict)

    def accepts(self, subset: _Subset) -> bool:
        """Whether ``subset`` is of this face: everything both hold is the same."""
        if self.first is None or subset.name != self.first.name:
            return False
        return (all(self.glyphs.get(cid, glyph) == glyph for cid, glyph in subset.glyphs.items())
                and all(self.widths.get(cid, width) == width for cid, width in subset.widths.items())
                and all(self.to_unicode.get(cid, text) == text for cid, text in subset.to_unicode.items()))

    def add(self, subset: _Subset) -> None:
        self.first = self.first or subset
        self.glyphs.update(subset.glyphs)
        self.font_dicts.update(subset.font_dicts)
        self.widths.update(subset.widths)
        self.to_unicode.update(subset.to_unicode)

    def program(self) -> bytes:
        """One CID-keyed CFF program with every glyph gathered, in CID order."""
        font_set = self.first.font_set
        top = font_set.topDictIndex[0]
        cids = sorted(self.glyphs)
        keys = list(dict.fromkeys(self.glyphs[cid][1] for cid in cids))
        top.FDArray.items = [self.font_dicts[key] for key in keys]
        top.charset = [".notdef" if cid == 0 else f"cid{cid:05d}" for cid in cids]
        top.FDSelect.gidArray = [keys.index(self.glyphs[cid][1]) for cid in cids]
        charstrings = top.CharStrings
        charstrings.charStrings = {name: index for index, name in enumerate(top.charset)}
        charstrings.charStringsIndex.items = [
            T2CharString(bytecode=self.glyphs[cid][0], private=self.font_dicts[self.glyphs[cid][1]].Private,
                         globalSubrs=font_set.GlobalSubrs) for cid in cids]
        buffer = BytesIO()
        # A bare CFF program has no OpenType font around it; fontTools asks that font only whether to
        # recompute the bounding box, which stays the original face's.
        font_set.compile(buffer, SimpleNamespace(recalcBBoxes=False))
        return buffer.getvalue()

    def write(self, writer: PdfWriter) -> None:
        program = self.program()
        tag = "".join(string.ascii_uppercase[byte % 26] for byte in hashlib.sha256(program).digest()[:6])
        base_font = NameObject(f"/{tag}+{self.first.name}")
        font_file = DecodedStreamObject()
        font_file.set_data(program)
        font_file = font_file.flate_encode()
        font_file[NameObject("/Subtype")] = NameObject("/CIDFontType0C")
        descriptor = DictionaryObject({NameObject(key): value for key, value in self.first.descriptor.items()
                                       if key not in ("/FontFile3", "/CIDSet")})
        descriptor[NameObject("/FontName")] = base_font
        descriptor[NameObject("/FontBBox")] = ArrayObject(
            [FloatObject(value) for value in _union_box(self.first.descriptor["/FontBBox"], self.widths)])
        descriptor[NameObject("/FontFile3")] = writer._add_object(font_file)
        widths = ArrayObject()
        for cid in sorted(self.widths):
            if cid - 1 not in self.widths:
                widths.extend([NumberObject(cid), ArrayObject()])
            widths[-1].append(FloatObject(self.widths[cid]))
        descendant = DictionaryObject({
            NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/CIDFontType0"),
            NameObject("/BaseFont"): base_font,
            NameObject("/CIDSystemInfo"): DictionaryObject({
                NameObject("/Registry"): TextStringObject("Adobe"), NameObject("/Ordering"): TextStringObject("Identity"),
                NameObject("/Supplement"): NumberObject(0)}),
            NameObject("/W"): widths, NameObject("/FontDescriptor"): writer._add_object(descriptor)})
        font = self.reference.get_object()
        font.update({
            NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type0"),
            NameObject("/BaseFont"): base_font, NameObject("/Encoding"): NameObject("/Identity-H"),
            NameObject("/DescendantFonts"): ArrayObject([writer._add_object(descendant)]),
            NameObject("/ToUnicode"): writer._add_object(_to_unicode_cmap(self.to_unicode))})


def _union_box(box, widths: dict[int, float]) -> list[float]:
    left, bottom, right, top = (float(value) for value in box)
    return [left, bottom, max(right, max(widths.values(), default=right)), top]


def _to_unicode_cmap(mapping: dict[int, bytes]):
    lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
             b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
             b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
             b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange"]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar".encode())
        lines.extend(b"<%04X> <%s>" % (cid, text) for cid, text in chunk)
        lines.append(b"endbfchar")
    lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    stream = DecodedStreamObject()
    stream.set_data(b"\n".join(lines))
    return stream.flate_encode()
