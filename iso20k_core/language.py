"""The languages people read: which there are, which one a piece of work is written in, and
the calls that write text in it.

Every sentence a person reads is written once, in English, where it is made, and marked for
translation (`_("…")`, `_n(…)` for counts, `N_("…")` for a constant translated where it is
shown; `{% trans %}` in the templates). Babel extracts the marked messages into
`iso20k_core/locales/iso20k.pot`; each language is one gettext catalog beside it
(`locales/zh_CN/LC_MESSAGES/iso20k.po`), read when first needed. A third language is a third
`.po` file: nothing here or in the dialogs names a language.

Which language a piece of work is written in is decided where the work starts (a chat turn,
a reminder, a report, a CLI command) from the reader: their own locale where the platform
gives one, else their organisation's language, else `ISO20K_LOCALE`, else English. That
choice is made active for the work with `using(language)` (a context variable, so threads
and asyncio tasks each keep their own), and everything below writes in it. The engine stays
pure: the language is an input of the call, like `today`.

Figures follow the language too (`iso20k_core.figures`): English keeps the plain forms its
readers and exports have always had (ISO dates, `128,000 EUR`); every other language writes
money, dates and numbers as CLDR says for its locale (`¥128,000`, `2027年3月15日`).
"""

from __future__ import annotations

import contextlib
import functools
import gettext
import io
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = Path(__file__).with_name("locales")
DOMAIN = "iso20k"
SOURCE_TAG = "en"  # the language the messages are written in


@dataclass(frozen=True)
class Language:
    """One language a person can read: its tag (BCP 47, as Slack and Teams send it), its
    Babel locale, and its catalog."""

    tag: str
    locale: Locale
    translations: gettext.NullTranslations

    @property
    def name(self) -> str:
        """Its name in itself, as a person looks for it in a list: `English`, `中文 (简体)`."""
        return str(self.locale.get_display_name(self.locale) or self.tag)

    @property
    def cldr_figures(self) -> bool:
        """Money, dates and numbers written the CLDR way for this locale; the source
        language keeps the engine's plain forms (the exports and existing readers rely on
        them)."""
        return self.tag != SOURCE_TAG

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)


def _catalog(path: Path) -> Translations:
    """A `.po` file as gettext translations, compiled in memory: the repository keeps only
    the `.po` (reviewable text), and a fuzzy or empty entry falls back to English."""
    with path.open("rb") as po:
        catalog = read_po(po, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def _tag_of(locale: Locale) -> str:
    """`zh_Hans_CN` → `zh-CN`: the tag platforms send (the script is implied by CN)."""
    return "-".join(part for part in (locale.language, locale.territory) if part)


@functools.cache
def languages() -> Mapping[str, Language]:
    """Every language there is a catalog for, and English, by tag."""
    found = {SOURCE_TAG: Language(SOURCE_TAG, Locale("en"), gettext.NullTranslations())}
    for po in sorted(LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        locale = Locale.parse(po.parent.parent.name)
        tag = _tag_of(locale)
        found[tag] = Language(tag, locale, _catalog(po))
    return found


def english() -> Language:
    return languages()[SOURCE_TAG]


def language_for(tag: str | None) -> Language | None:
    """The language a platform's or a person's locale tag asks for, or None when there is
    no catalog for it. `zh-CN`, `zh_CN`, `zh-Hans`, `zh-Hans-CN` and `zh` all find
    Simplified Chinese; `zh-TW` (Traditional) does not; `en-US` and `en-GB` find English."""
    if not tag or not tag.strip():
        return None
    try:
        wanted = Locale.parse(tag.strip().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None
    best: Language | None = None
    for language in languages().values():
        have = language.locale
        if have.language != wanted.language:
            continue
        # A script is what is read: Traditional Chinese is not Simplified Chinese.
        if (wanted.script or _likely_script(wanted)) != (have.script or _likely_script(have)):
            continue
        if have.territory == wanted.territory:
            return language
        best = best or language
    return best


def _likely_script(locale: Locale) -> str | None:
    """CLDR's likely script: `zh` is read in Hans, `zh_TW` in Hant, English in none."""
    likely = get_global("likely_subtags")
    for key in (f"{locale.language}_{locale.territory}", locale.language):
        if key in likely:
            return Locale.parse(likely[key]).script
    return None


def resolve(*tags: str | None) -> Language:
    """The first of the tags there is a catalog for (the person's, then the organisation's,
    then the deployment's), else English."""
    for tag in tags:
        found = language_for(tag)
        if found is not None:
            return found
    return english()


def supported_tags() -> tuple[str, ...]:
    return tuple(languages())


_ACTIVE: ContextVar[Language | None] = ContextVar("iso20k_language", default=None)


def active() -> Language:
    """The language the current piece of work is written in (English unless one was made
    active with `using`)."""
    return _ACTIVE.get() or english()


@contextlib.contextmanager
def using(language: Language) -> Iterator[Language]:
    """Write everything within in `language`."""
    token = _ACTIVE.set(language)
    try:
        yield language
    finally:
        _ACTIVE.reset(token)


def _(message: str, /, **params: object) -> str:
    """`message` in the active language, its `{named}` placeholders filled from `params`.
    Always formatted, so a literal brace is written `{{`."""
    return active().gettext(message).format_map(params)


def _n(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The form for `n` in the active language (Chinese has one, English two); `{n}` is
    `n` unless `params` give it otherwise."""
    return active().ngettext(singular, plural, n).format_map({"n": n, **params})


def _p(context: str, message: str, /, **params: object) -> str:
    """A short message whose meaning depends on where it stands (`_p("button", "Save")`)."""
    return active().pgettext(context, message).format_map(params)


def N_(message: str) -> str:
    """Marks a constant for extraction; it is translated where it is shown, with `_(x)`."""
    return message
