"""Every message the code and the templates mark is in each catalog, translated, not fuzzy,
with the same placeholders; and no catalog keeps messages the code no longer has."""

from __future__ import annotations

from iso20k_core import catalog


def test_every_marked_message_is_translated_with_its_placeholders() -> None:
    found = catalog.problems()
    assert not found, "\n".join(f"{p.locale}: {p.problem}: {p.message!r}" for p in found[:40])


def test_the_template_file_is_up_to_date() -> None:
    """`python -m iso20k_core.catalog update` was run after the last change of messages."""
    code = {m.id for m in catalog.extract() if m.id}
    kept = {m.id for m in catalog.read(catalog.TEMPLATE) if m.id}
    assert code == kept


def test_the_check_finds_a_missing_placeholder() -> None:
    assert catalog.placeholders("{amount} ({low}–{high})") == {"amount", "low", "high"}
    assert catalog.placeholders("%(name)s has {{ braces }} and %(n)d") == {"name", "n"}
    assert catalog.placeholders("{{literal}}") == set()


def test_there_is_a_simplified_chinese_catalog() -> None:
    assert "zh_CN" in catalog.translations()
