"""The translation catalogs, kept with Babel: extract the marked messages, update every
language's `.po` from them, and say what is missing.

    python -m iso20k_core.catalog update   # after marking or changing messages
    python -m iso20k_core.catalog check    # what the catalog test checks, as a list

`update` rewrites `locales/iso20k.pot` from the code (`_`, `_n`, `_p`, `N_`), the
templates (`{% trans %}`, through Jinja2's own Babel extractor, with `trimmed` as the
templates render) and the reasoning of the rate tables' estimates (`extract_rates`), then
merges it into each `.po`: new messages arrive empty, changed ones fuzzy, removed ones are
dropped. A translator then fills the `msgstr`s.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from iso20k_core.language import DOMAIN, LOCALES

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = LOCALES / f"{DOMAIN}.pot"
KEYWORDS = {
    "_": None,
    "N_": None,
    "_n": (1, 2),
    "_p": ((1, "c"), 2),
    "gettext": None,
    "ngettext": (1, 2),
}
# Which files hold messages, and how each is read (Babel's method map).
METHODS = [
    ("iso20k_core/**.py", "python"),
    ("bot/**.py", "python"),
    ("iso20k_core/report/templates/**.j2", "jinja2"),
    ("iso20k_core/standard/rates-*.yaml", "iso20k_core.catalog:extract_rates"),
]
OPTIONS = {"iso20k_core/report/templates/**.j2": {"trimmed": "true"}}
_PLACEHOLDER = re.compile(r"\{(\w+)[^}]*\}|%\((\w+)\)[sd]")


def extract_rates(
    fileobj: IO[bytes],
    keywords: Collection[str],
    comment_tags: Collection[str],
    options: Mapping[str, object],
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extractor for a rate table (`standard/rates-*.yaml`): the reasoning of every
    `estimate`, as the loader reads it (a folded scalar is one line of text), at the line
    its key is on, with the currency and the rate for the translator (`EUR
    consultant_day_rate`). A `source` is a citation and stays as published; the file's
    `title` is shown nowhere."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    for code, table in _pairs(_value(root, "currencies")):
        for rate, entry in _pairs(table):
            estimate = _value(entry, "estimate")
            if isinstance(estimate, yaml.ScalarNode) and estimate.value:
                yield estimate.start_mark.line + 1, None, estimate.value, [f"{code} {rate}"]


def _pairs(node: yaml.Node | None) -> Iterator[tuple[str, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            yield str(key.value), value


def _value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    return next((value for name, value in _pairs(node) if name == key), None)


def extract() -> Catalog:
    """Every marked message in the code and the templates, with where it is written."""
    catalog = Catalog(domain=DOMAIN, project="iso20k", charset="utf-8")
    found = extract_from_dir(
        ROOT, method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS, strip_comment_tags=True
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def read(path: Path) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, domain=DOMAIN)


def translations() -> dict[str, Path]:
    """Each language's `.po`, by its folder name (`zh_CN`)."""
    return {p.parent.parent.name: p for p in sorted(LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def _write(catalog: Catalog, path: Path) -> None:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=True, omit_header=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(out.getvalue())


def update() -> None:
    template = extract()
    _write(template, TEMPLATE)
    for locale, path in translations().items():
        catalog = read(path)
        catalog.locale = locale
        catalog.update(template, no_fuzzy_matching=False, update_creation_date=False)
        catalog.obsolete.clear()
        _write(catalog, path)


def placeholders(text: str) -> set[str]:
    """The named placeholders of a message: `{name}` (Python) and `%(name)s` (Jinja2)."""
    return {a or b for a, b in _PLACEHOLDER.findall(text.replace("{{", "").replace("}}", ""))}


@dataclass(frozen=True)
class Problem:
    locale: str
    message: str
    problem: str


def _texts(message: Message) -> list[tuple[str, str]]:
    """(source, translation) pairs, one per plural form."""
    ids = [str(i) for i in message.id] if isinstance(message.id, tuple) else [str(message.id)]
    strs = (
        [str(s or "") for s in message.string]
        if isinstance(message.string, tuple)
        else [str(message.string or "")]
    )
    # Form 0 translates the singular, every other form the plural.
    return [(ids[0] if i == 0 else ids[-1], s) for i, s in enumerate(strs)]


def problems(code: Catalog | None = None) -> list[Problem]:
    """Every message of the code missing from, untranslated or fuzzy in a catalog, or whose
    translation lacks or adds a placeholder; and catalog entries the code no longer has."""
    code = code or extract()
    wanted = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in code if m.id}
    found: list[Problem] = []
    for locale, path in translations().items():
        catalog = read(path)
        have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}
        for key in sorted(wanted - have.keys(), key=str):
            found.append(Problem(locale, key[1], "missing from the catalog"))
        for key in sorted(have.keys() - wanted, key=str):
            found.append(Problem(locale, key[1], "in the catalog but not in the code"))
        for key in sorted(wanted & have.keys(), key=str):
            found.extend(_entry_problems(locale, have[key]))
    return found


def _entry_problems(locale: str, message: Message) -> Iterable[Problem]:
    name = message.id if isinstance(message.id, str) else message.id[0]
    if message.fuzzy:
        yield Problem(locale, name, "fuzzy")
    for source, text in _texts(message):
        if not text:
            yield Problem(locale, name, "untranslated")
        elif placeholders(source) != placeholders(text):
            yield Problem(
                locale,
                name,
                f"placeholders {sorted(placeholders(text))} instead of "
                f"{sorted(placeholders(source))}",
            )


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        print(f"updated {TEMPLATE.relative_to(ROOT)} and {len(translations())} catalog(s)")
        return 0
    if argv[:1] == ["check"]:
        found = problems()
        for p in found:
            print(f"{p.locale}: {p.problem}: {p.message!r}")
        print(f"{len(found)} problem(s)")
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
