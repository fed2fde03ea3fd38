"""The notices' Chinese faces after GB/T 9704: 仿宋 (body), 黑体 (level-1 headings), 楷体 (level-2 headings).

    python -m inspect_loop.letters.font_setup      (``make fonts``; ``make run`` and ``make test`` call it)

The free faces are Fandol's (FandolFang, FandolHei, FandolKai; GPL-3 with the font exception: documents that
embed them are not covered by the GPL). Debian ships them only inside ``texlive-lang-chinese`` (about 50 MB),
so the package is downloaded, not installed (``apt-get download``), and only the three OpenType files are
extracted into the git-ignored ``letters/fonts/``, with their licence.

Fandol fonts are CID-keyed CFF with Adobe-GB1 CIDs, which differ from their glyph ids. The notices' compact
font subsets (``fonts.py``) and the merged print batches (``batch.py``) rely on each glyph's CID being its
glyph id, so each file is re-keyed once here: the same glyphs, outlines and tables, the charset made the
identity and the ordering ``Adobe-Identity-0`` (which promises nothing about what a CID means; the text
of the PDF comes from its ToUnicode map, not from the CIDs).

When anything fails (no network, no apt) the step says so and ends without error: the stylesheet falls back
to Noto Serif/Sans CJK (``fonts-noto-cjk``), so a notice always renders.
"""

import logging
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from inspect_loop.letters.render import FONTS_DIR, LETTER_FACES

LOGGER = logging.getLogger(__name__)

DEBIAN_PACKAGE = "texlive-lang-chinese"
PACKAGE_FONT_DIR = "usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/"
PACKAGE_LICENCE = "usr/share/doc/texlive-doc/fonts/fandol/"
LICENCE_FILES = ("README", "COPYING.gz")


def identity_keyed(source: Path, target: Path) -> None:
    """Write ``source``, a CID-keyed OpenType CFF font, to ``target`` with every glyph's CID equal to its
    glyph id. Only the CFF table's charset and ROS change: every other table addresses glyphs by id and is
    copied as it is."""
    from fontTools.ttLib import TTFont

    font = TTFont(source, recalcTimestamp=False)  # the same bytes on every machine
    names = font.getGlyphOrder()
    identity = [".notdef"] + [f"cid{glyph_id:05d}" for glyph_id in range(1, len(names))]
    top = font["CFF "].cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        raise ValueError(f"{source.name} is not a CID-keyed font")
    renamed = dict(zip(names, identity, strict=True))
    top.CharStrings.charStrings = {renamed[name]: index for name, index in top.CharStrings.charStrings.items()}
    top.charset = identity
    top.ROS = ("Adobe", "Identity", 0)
    font.setGlyphOrder(identity)
    partial = target.with_suffix(".part")
    font.save(partial)
    partial.replace(target)


def _extract(package: Path, folder: Path) -> Path:
    """The package's file tree (data.tar) unpacked into ``folder``: only the Fandol fonts and their licence."""
    wanted = [PACKAGE_FONT_DIR + file_name for file_name in LETTER_FACES.values()]
    wanted += [PACKAGE_LICENCE + file_name for file_name in LICENCE_FILES]
    with subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(package)], stdout=subprocess.PIPE) as unpack:
        with tarfile.open(fileobj=unpack.stdout, mode="r|") as archive:
            for member in archive:
                if member.isfile() and member.name.removeprefix("./") in wanted:
                    archive.extract(member, folder, filter="data")
    if unpack.returncode:
        raise OSError(f"dpkg-deb failed on {package.name}")
    return folder


def _download(work_dir: Path) -> None:
    """``apt-get download`` the package into ``work_dir``; on a machine whose package lists are empty or stale
    (a fresh image), read them first when we may (as root), and try once more."""
    command = ["apt-get", "download", DEBIAN_PACKAGE]
    try:
        subprocess.run(command, cwd=work_dir, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except subprocess.CalledProcessError:
        if os.geteuid() != 0:
            raise
        subprocess.run(["apt-get", "update", "-qq"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(command, cwd=work_dir, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def install(fonts_dir: Path = FONTS_DIR) -> bool:
    """Make sure ``fonts_dir`` holds the letter faces; True when it does."""
    missing = [name for name in LETTER_FACES.values() if not (fonts_dir / name).is_file()]
    if not missing:
        return True
    with tempfile.TemporaryDirectory(prefix="letter-fonts-") as work:
        work_dir = Path(work)
        try:
            _download(work_dir)
            package = next(work_dir.glob(f"{DEBIAN_PACKAGE}_*.deb"))
            tree = _extract(package, work_dir / "tree")
            fonts_dir.mkdir(parents=True, exist_ok=True)
            for file_name in missing:
                identity_keyed(tree / PACKAGE_FONT_DIR / file_name, fonts_dir / file_name)
            for file_name in LICENCE_FILES:
                shutil.copyfile(tree / PACKAGE_LICENCE / file_name, fonts_dir / f"Fandol-{file_name}")
        except (OSError, subprocess.CalledProcessError, StopIteration, ValueError) as error:
            LOGGER.warning("The Fandol fonts could not be installed (%s); notices fall back to Noto CJK.", error)
            return False
    return True


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if install():
        LOGGER.info("Letter fonts ready in %s", FONTS_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
