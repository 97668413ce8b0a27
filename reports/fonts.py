"""The Hangul font reports need: Korean text without one prints as empty boxes ("tofu"), so rendering refuses.

Fonts are referenced by family name through fontconfig (Debian `fonts-nanum`), never copied into the project.
"""

from __future__ import annotations

from collections.abc import Sequence

from tracker.errors import ConfigurationError

# The families print.css and the charts name, best first; any one of them is enough for Hangul.
HANGUL_FONT_FAMILIES = ("NanumBarunGothic", "NanumGothic", "NanumSquare")


def _installed_families(families: Sequence[str]) -> list[str]:
    """The families fontconfig resolves to themselves (i.e. installed), asked the way Pango asks."""
    # WeasyPrint already loads fontconfig through cffi; asking it directly needs no `fc-list` binary.
    from weasyprint.text.ffi import ffi, fontconfig

    found: list[str] = []
    config = fontconfig.FcInitLoadConfigAndFonts()
    try:
        for family in families:
            pattern = fontconfig.FcPatternCreate()
            try:
                fontconfig.FcPatternAddString(pattern, b"family", family.encode())
                fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
                fontconfig.FcDefaultSubstitute(pattern)
                result = ffi.new("FcResult *")
                match = fontconfig.FcFontMatch(config, pattern, result)
                if match == ffi.NULL:
                    continue
                try:
                    value = ffi.new("FcChar8 **")
                    index = 0
                    names = []
                    while fontconfig.FcPatternGetString(match, b"family", index, value) == fontconfig.FcResultMatch:
                        names.append(ffi.string(value[0]).decode("utf-8", "replace"))
                        index += 1
                finally:
                    fontconfig.FcPatternDestroy(match)
                if family in names:
                    found.append(family)
            finally:
                fontconfig.FcPatternDestroy(pattern)
    finally:
        fontconfig.FcConfigDestroy(config)
    return found


_FOUND: dict[tuple[str, ...], str] = {}


def _hangul_font(families: tuple[str, ...]) -> str | None:
    # Only a success is remembered: a font installed while a server runs is picked up by the next report.
    if families not in _FOUND:
        found = _installed_families(families)
        if not found:
            return None
        _FOUND[families] = found[0]
    return _FOUND[families]


def require_hangul_font(families: Sequence[str] = HANGUL_FONT_FAMILIES) -> str:
    """The first installed Hangul font family; ConfigurationError with an install hint when there is none."""
    family = _hangul_font(tuple(families))
    if family is None:
        raise ConfigurationError(
            f"No Hangul font is installed (looked for {', '.join(families)}), so Korean text would print as "
            "empty boxes; install one with 'apt-get install fonts-nanum' (or 'make system-deps')."
        )
    return family
