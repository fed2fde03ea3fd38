"""Small, fast CJK font subsets in the notices' PDFs.

WeasyPrint 70 subsets each font with HarfBuzz but keeps the glyph ids of the original font, because its page
content addresses glyphs by those ids. Noto Serif CJK holds 65,535 glyphs and its simplified-Chinese ones sit
near the end, so every "subset" still carries some 62,000 empty glyph slots: about 150 KB per face, 340 KB
for a notice set in the regular and the bold face — and building them (two HarfBuzz passes over 62,000
glyphs, a copy of the result) takes half the time of a notice.

Noto CJK is a CID-keyed CFF font whose CIDs equal its glyph ids, and in a PDF a CID-keyed CFF program
embedded bare (``/FontFile3 /CIDFontType0C``) is addressed by CID through the program's own charset
(ISO 32000-1, 9.7.4.2). So, while a notice renders (``single_pass_subsetting``), such a face is subset in one
HarfBuzz pass to exactly the glyphs used — HarfBuzz keeps each glyph's CID — and its bare CFF program is
embedded; ``embed_bare_cff``, the WeasyPrint finisher, then labels it as such. The page content is
untouched. Any other font (TrueType, not CID-keyed, CIDs that are not glyph ids, glyphs missing, variable or
colour fonts) goes through WeasyPrint's own subsetting.

WeasyPrint offers no hook for subsetting, so ``single_pass_subsetting`` replaces ``Font.subset`` (and
defers ``Font.__init__``'s copy of the whole font file until something reads it) for the duration of one
rendering under the renderer's lock; ``setup.cfg`` pins WeasyPrint to 70.x and the tests
compare every pixel with WeasyPrint's own output.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import cffi
import pydyf
from weasyprint.pdf import fonts as weasyprint_fonts
from weasyprint.text.ffi import ffi as weasyprint_ffi

WEASYPRINT_SUBSET = weasyprint_fonts.Font.subset
WEASYPRINT_FONT_INIT = weasyprint_fonts.Font.__init__
WEASYPRINT_FONT_DATA = weasyprint_fonts.get_hb_object_data

_HARFBUZZ_DECLARATIONS = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_table(const hb_face_t *face, hb_tag_t tag);
hb_tag_t hb_tag_from_string(const char *text, int length);
void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_glyph_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int flags);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
HB_SUBSET_FLAGS_NO_HINTING = 0x01
HB_SUBSET_FLAGS_DESUBROUTINIZE = 0x04
HB_SUBSET_SETS_DROP_TABLE_TAG = 3
# Only the CFF table is kept; HarfBuzz need not subset the others, nor follow GSUB or the variation-selector
# cmap to glyphs the page does not show.
DROPPED_TABLES = (b"GSUB", b"GPOS", b"GDEF", b"BASE", b"JSTF", b"VORG", b"vhea", b"vmtx", b"cmap", b"name",
                  b"post", b"DSIG")
CFF_HEADER = b"\x01\x00\x04"  # CFF version 1.0, 4-byte header


@cache
def _harfbuzz():
    """Debian's libharfbuzz and libharfbuzz-subset (the libraries WeasyPrint loads), bound here for the few
    functions WeasyPrint's own binding does not declare."""
    ffi = cffi.FFI()
    ffi.cdef(_HARFBUZZ_DECLARATIONS)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


def _cff_table(face, ffi, harfbuzz):
    """The face's 'CFF ' table read in place (the full font's is 23 MB: never copied), and the HarfBuzz
    blob that holds it, to keep alive while the table is read; (None, None) when there is none."""
    blob = ffi.gc(harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"CFF ", -1)),
                  harfbuzz.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    data = harfbuzz.hb_blob_get_data(blob, length)
    if not length[0]:
        return None, None
    return memoryview(ffi.buffer(data, length[0])), blob


def _index_end(data, offset: int) -> tuple[int, int]:
    """A CFF INDEX at ``offset``: its item count and the offset just after it."""
    count = int.from_bytes(data[offset:offset + 2])
    if count == 0:
        return 0, offset + 2
    size = data[offset + 2]
    last = offset + 3 + count * size
    return count, last + int.from_bytes(data[last:last + size]) - 1 + size


def _top_dict_operators(data) -> dict[int, list[int]]:
    """The integer operands of each operator of the first Top DICT (escaped operators as 1200 + code)."""
    _, top_index = _index_end(data, data[2])  # the header's size, then the Name INDEX
    count, size = int.from_bytes(data[top_index:top_index + 2]), data[top_index + 2]
    offsets = top_index + 3
    data_start = offsets + (count + 1) * size - 1
    start = data_start + int.from_bytes(data[offsets:offsets + size])
    end = data_start + int.from_bytes(data[offsets + size:offsets + 2 * size])
    operators, operands, position = {}, [], start
    while position < end:
        byte = data[position]
        if byte <= 21:
            if byte == 12:
                position += 1
                byte = 1200 + data[position]
            operators[byte], operands = operands, []
            position += 1
        elif byte == 28:
            operands.append(int.from_bytes(data[position + 1:position + 3], signed=True))
            position += 3
        elif byte == 29:
            operands.append(int.from_bytes(data[position + 1:position + 5], signed=True))
            position += 5
        elif byte == 30:  # a real number: skip its nibbles up to the 0xf terminator
            position += 1
            while data[position] & 0x0F != 0x0F and data[position] >> 4 != 0x0F:
                position += 1
            position += 1
            operands.append(0)
        elif byte <= 246:
            operands.append(byte - 139)
            position += 1
        elif byte <= 250:
            operands.append((byte - 247) * 256 + data[position + 1] + 108)
            position += 2
        else:
            operands.append(-(byte - 251) * 256 - data[position + 1] - 108)
            position += 2
    return operators


def cid_of_glyphs(cff, glyph_ids=None) -> dict[int, int] | None:
    """The CID of each of ``glyph_ids`` (of every glyph when None) in the CFF program ``cff``; None when it
    is not CID-keyed. The charset maps glyph ids to CIDs: format 0 one by one, formats 1 and 2 in runs."""
    operators = _top_dict_operators(cff)
    if 1230 not in operators or 15 not in operators or 17 not in operators:  # ROS, charset, CharStrings
        return None
    glyph_count, _ = _index_end(cff, operators[17][0])
    wanted = set(range(glyph_count) if glyph_ids is None else glyph_ids)
    cids = {0: 0} if 0 in wanted else {}
    offset = operators[15][0]
    charset_format, position, glyph = cff[offset], offset + 1, 1
    while glyph < glyph_count:
        if charset_format == 0:
            first, run = int.from_bytes(cff[position:position + 2]), 1
            position += 2
        elif charset_format in (1, 2):
            first = int.from_bytes(cff[position:position + 2])
            run = int.from_bytes(cff[position + 2:position + 2 + charset_format]) + 1
            position += 2 + charset_format
        else:
            return None
        for glyph_id in (range(glyph, glyph + run) if glyph_ids is None else wanted):
            if glyph <= glyph_id < glyph + run:
                cids[glyph_id] = first + glyph_id - glyph
        glyph += run
    return cids


def cid_keyed_subset(face, glyph_ids: list[int]) -> bytes | None:
    """A bare CFF program with the glyphs ``glyph_ids`` of the HarfBuzz ``face``, each under its CID, or
    None unless the face is CID-keyed with each of those glyphs' CID equal to its id."""
    ffi, harfbuzz, subsetter = _harfbuzz()
    original, _blob = _cff_table(face, ffi, harfbuzz)
    if original is None:
        return None
    cids = cid_of_glyphs(original, glyph_ids)
    if cids is None or any(cids.get(glyph_id) != glyph_id for glyph_id in glyph_ids):
        return None
    subset_input = subsetter.hb_subset_input_create_or_fail()
    if subset_input == ffi.NULL:
        return None
    subset_input = ffi.gc(subset_input, subsetter.hb_subset_input_destroy)
    glyph_set = subsetter.hb_subset_input_glyph_set(subset_input)
    for glyph_id in glyph_ids:
        harfbuzz.hb_set_add(glyph_set, glyph_id)
    dropped = subsetter.hb_subset_input_set(subset_input, HB_SUBSET_SETS_DROP_TABLE_TAG)
    for tag in DROPPED_TABLES:
        harfbuzz.hb_set_add(dropped, harfbuzz.hb_tag_from_string(tag, -1))
    subsetter.hb_subset_input_set_flags(subset_input, HB_SUBSET_FLAGS_NO_HINTING | HB_SUBSET_FLAGS_DESUBROUTINIZE)
    subset = subsetter.hb_subset_or_fail(face, subset_input)
    if subset == ffi.NULL:
        return None
    table, _blob = _cff_table(ffi.gc(subset, harfbuzz.hb_face_destroy), ffi, harfbuzz)
    if table is None:
        return None
    program = table.tobytes()
    # HarfBuzz keeps each glyph's CID; make sure of it before the page content relies on it.
    kept = cid_of_glyphs(program)
    if kept is None or not set(glyph_ids) <= set(kept.values()):
        return None
    return program


def _subset(font, to_unicode, hinting):
    """``Font.subset`` while a notice renders: one pass for a CID-keyed CFF face, WeasyPrint's otherwise."""
    eligible = (to_unicode and not hinting and not font.missing and "CFF " in font.tables
                and "fvar" not in font.tables and not (font.png or font.svg or font.colr))
    if eligible:
        ffi, _, _ = _harfbuzz()
        face = ffi.cast("hb_face_t *", int(weasyprint_ffi.cast("uintptr_t", font.hb_face)))
        program = cid_keyed_subset(face, sorted({0, *to_unicode}))
        if program is not None:
            font.file_content = program
            return
    WEASYPRINT_SUBSET(font, to_unicode, hinting)


class _UnreadFontFile:
    """The whole font file of a face, not yet copied out of HarfBuzz."""

    __slots__ = ("face",)

    def __init__(self, face):
        self.face = face


def _unread_font_file(face, ot_color=None, glyph=None):
    return _UnreadFontFile(face)


def _font_init_without_copy(font, *arguments):
    """``Font.__init__`` while a notice renders: it copies the whole font file into Python (26 MB for a Noto
    CJK collection, 5–8 ms a face); a compact subset never needs that copy, so it is made when read."""
    weasyprint_fonts.get_hb_object_data = _unread_font_file
    try:
        WEASYPRINT_FONT_INIT(font, *arguments)
    finally:
        weasyprint_fonts.get_hb_object_data = WEASYPRINT_FONT_DATA


def _read_font_file(font):
    content = font.__dict__["file_content"]
    if isinstance(content, _UnreadFontFile):
        content = font.__dict__["file_content"] = WEASYPRINT_FONT_DATA(content.face)
    return content


def _set_font_file(font, content):
    font.__dict__["file_content"] = content


@contextmanager
def single_pass_subsetting() -> Iterator[None]:
    """Within: CID-keyed CFF faces are subset in one pass to bare CFF programs, and a face's whole font file
    is read only if something still needs it (WeasyPrint's own subsetting of any other font). The caller
    holds the renderer's lock and passes ``embed_bare_cff`` as the finisher; the fonts of a document live
    no longer than its rendering."""
    font_class = weasyprint_fonts.Font
    font_class.subset = _subset
    font_class.__init__ = _font_init_without_copy
    font_class.file_content = property(_read_font_file, _set_font_file)
    try:
        yield
    finally:
        del font_class.file_content
        font_class.__init__ = WEASYPRINT_FONT_INIT
        font_class.subset = WEASYPRINT_SUBSET


def embed_bare_cff(document, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: WeasyPrint files any font program that is not OpenType CFF as TrueType; label
    the bare CFF programs ``single_pass_subsetting`` made as CID-keyed CFF (Type 0 CIDFonts)."""
    by_reference = {item.reference: item for item in pdf.objects if isinstance(item, pydyf.Object)}
    for item in pdf.objects:
        if not (isinstance(item, pydyf.Dictionary) and item.get("Subtype") == "/CIDFontType2"):
            continue
        descriptor = by_reference[item["FontDescriptor"]]
        program = by_reference.get(descriptor.get("FontFile2"))
        if program is None or not b"".join(program.stream).startswith(CFF_HEADER):
            continue
        descriptor["FontFile3"] = descriptor.pop("FontFile2")
        program.extra.pop("Length1", None)
        program.extra["Subtype"] = "/CIDFontType0C"
        item["Subtype"] = "/CIDFontType0"
        item.pop("CIDToGIDMap", None)  # TrueType CIDFonts only: this program maps CIDs itself
