"""The fonts the charts and the PDF report draw with, and what to do when Chinese text has none.

Latin text is drawn in DejaVu Sans, which ships with matplotlib and with Debian, so every
machine has it. Chinese (and Japanese and Korean) text needs a CJK font, which is too large
to ship in the package (WenQuanYi Micro Hei is 5 MB, Noto Sans CJK 91 MB installed): it comes
from the system. `python3 run.py start` and `.ci/run` install Debian's `fonts-wqy-microhei`
where they can; the Dockerfile does too.

Both renderers fall back glyph by glyph along a family list, so the same list serves every
language and an English report never changes: matplotlib ≥ 3.6 along `font.family`, WeasyPrint
along the CSS `font-family` chain (report.css names the families below). A font that is
not installed is skipped by both.

matplotlib keeps a cache of the system's fonts from the first time it ran; a font installed
after that is not in it, so the families are also looked for among the files fontconfig
lists, and added. When text has CJK characters and no CJK font is installed, `require_glyphs`
raises `MissingFontError`, which says plainly which package to install, instead of drawing
empty boxes.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from matplotlib import font_manager

from iso20k_core.language import _
from iso20k_core.text import has_cjk as has_cjk  # re-exported: the charts ask here
from iso20k_core.text import is_cjk as is_cjk

LATIN_FAMILY = "DejaVu Sans"
# In order of preference. The first three are Debian packages (fonts-noto-cjk,
# fonts-wqy-microhei, fonts-wqy-zenhei); a .ttc collection shows matplotlib only its first
# face (matplotlib #26475), so Noto's collection appears as "Noto Sans CJK JP", which covers
# the same ideographs.
CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Source Han Sans SC",
    "Noto Sans SC",
    "Droid Sans Fallback",
)
FONT_PACKAGE = "fonts-wqy-microhei"


def _not_the_missing_bold(record: logging.LogRecord) -> bool:
    # CJK fonts rarely ship a bold face (WenQuanYi Micro Hei has none): matplotlib draws a
    # bold title's Chinese in the regular face and logs a warning for each one, which every
    # CLI user would see. That fallback is what we want; every other warning stays.
    return "Failed to find font weight" not in record.getMessage()


logging.getLogger("matplotlib.font_manager").addFilter(_not_the_missing_bold)


class MissingFontError(RuntimeError):
    """Text with CJK characters and no font on this machine to draw them."""


@functools.cache
def cjk_family() -> str | None:
    """The installed CJK family matplotlib draws with, or None. Found once per process."""
    known = {f.name for f in font_manager.fontManager.ttflist}
    found = next((f for f in CJK_FAMILIES if f in known), None)
    if found is not None:
        return found
    for path in font_manager.findSystemFonts():
        if Path(path).suffix.lower() not in (".ttf", ".ttc", ".otf"):
            continue
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):
            continue  # a broken or unreadable font file is not ours to mend
    known = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FAMILIES if f in known), None)


def families() -> list[str]:
    """The family list for matplotlib: Latin first, then the CJK font where there is one."""
    cjk = cjk_family()
    return [LATIN_FAMILY, cjk] if cjk else [LATIN_FAMILY]


def missing_font_message() -> str:
    return _(
        "This report contains Chinese text, and no Chinese font is installed where it is "
        "rendered, so the PDF and the charts would show empty boxes. Install the font "
        "package {package} (Debian and Ubuntu: `apt-get install {package}`), or "
        "fonts-noto-cjk, then ask again; the Markdown report needs no font.",
        package=FONT_PACKAGE,
    )


def require_glyphs(text: str) -> None:
    """Raise `MissingFontError` when `text` has CJK characters and no CJK font is installed."""
    if cjk_family() is None and has_cjk(text):
        raise MissingFontError(missing_font_message())
