"""Neutral forms and messages as Adaptive Cards 1.5: every reply the dialogs give validates
against the schema and fits in a Teams message; fields are labelled inputs with their limits;
a form's state comes back with its values; a refused form shows each error on its field;
what people typed is shown, never obeyed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogs.commands import form_for, handle_submit
from bot.dialogs.context import DialogContext
from bot.dialogs.model import Button, Fact, Field, Form, Message, Option, Section, Text, mention
from bot.teams.cards import (
    CUT_NOTE,
    DATA_KEY,
    MAX_CARD_BYTES,
    ButtonPress,
    CardTooLarge,
    FormSubmission,
    card_bytes,
    check_size,
    escape,
    form_card,
    message_card,
    read_submission,
)
from iso20k_core import places
from tests.dialogs.people import SETUP, TODAY
from tests.dialogs.replies import every_reply
from tests.teams.schema import check_card, elements

INJECTION = "**[click](https://evil.example)** <at>Bot</at> &amp; {{DATE(2027-01-01T00:00:00Z)}}"


def render(shown: Message | Form) -> dict[str, Any]:
    card = message_card(shown) if isinstance(shown, Message) else form_card(shown, today=TODAY)
    check_card(card)
    assert card_bytes(card) <= MAX_CARD_BYTES
    return card


def inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in elements(card) if e["type"].startswith("Input.")}


def submitted(card: dict[str, Any], typed: dict[str, str]) -> dict[str, Any]:
    """What Teams sends back for the card's submit action: its data merged with the inputs."""
    (action,) = card["actions"]
    return {**action["data"], **typed}


# --- every reply -------------------------------------------------------------------------


def test_the_schema_refuses_what_teams_would_not_render() -> None:
    with pytest.raises(AssertionError, match="colour"):
        check_card(
            {
                "type": "AdaptiveCard",
                "version": "1.5",
                "body": [{"type": "TextBlock", "text": "x", "colour": "good"}],
            }
        )


def test_every_reply_of_the_dialogs_is_a_valid_card_under_80_kb(
    organisation: DialogContext,
) -> None:
    replies = every_reply(organisation)
    forms = {r.shown.kind for r in replies if isinstance(r.shown, Form)}
    assert forms >= {"setup", "assess", "remind", "booking"}, forms
    assert sum(isinstance(r.shown, Message) for r in replies) >= 10
    for reply in replies:
        card = render(reply.shown)
        if isinstance(reply.shown, Form):
            fields = {f.id for f in reply.shown.fields}
            assert set(inputs(card)) == fields, reply.shown.kind
        else:
            assert len(card.get("actions", [])) == len(reply.shown.buttons)


def test_every_refused_form_is_a_valid_card_with_every_error_shown(
    organisation: DialogContext,
) -> None:
    forms = [r.shown for r in every_reply(organisation) if isinstance(r.shown, Form)]
    for form in forms:
        errors = {f.id: f"{f.label} is wrong." for f in form.fields}
        card = form_card(form, {f.id: "" for f in form.fields}, errors, TODAY)
        check_card(card)
        shown = [e["text"] for e in elements(card) if e.get("color") == "attention"]
        assert len(shown) == len(form.fields), form.kind


# --- fields ------------------------------------------------------------------------------


def one_input(field: Field, **values: str) -> dict[str, Any]:
    card = form_card(Form("t", "T", (field,)), values or None)
    check_card(card)
    (element,) = inputs(card).values()
    return element


def test_each_field_is_a_labelled_input_with_the_limits_the_model_states() -> None:
    number = one_input(Field("staff", "IT staff", "number", minimum=1, maximum=500))
    assert number == {
        "type": "Input.Number",
        "id": "staff",
        "label": "IT staff",
        "isRequired": True,
        "errorMessage": "Enter a number from 1 to 500.",
        "min": 1,
        "max": 500,
    }
    text = one_input(Field("name", "Name", "text", required=False, max_length=200, initial="A"))
    assert text["type"] == "Input.Text" and text["maxLength"] == 200
    assert text["isRequired"] is False and text["value"] == "A" and text["errorMessage"]
    date = one_input(Field("start", "Start", "date", not_before=dt.date(2026, 11, 25)))
    assert date["type"] == "Input.Date" and date["min"] == "2026-11-25"
    many = one_input(
        Field(
            "certs",
            "Certificates",
            "multi_choice",
            options=(Option("9001", "ISO 9001"), Option("27001", "ISO/IEC 27001")),
            initial=("9001", "27001"),
        )
    )
    assert many["isMultiSelect"] is True and many["value"] == "9001,27001"
    assert many["choices"] == [
        {"title": "ISO 9001", "value": "9001"},
        {"title": "ISO/IEC 27001", "value": "27001"},
    ]


def test_a_long_list_is_one_filtered_choice_set_holding_every_option() -> None:
    zones = tuple(Option(p.code, p.label, p.group) for p in places.timezones())
    element = one_input(
        Field("timezone", "Timezone", "choice", options=zones, initial="Asia/Shanghai")
    )
    assert element["style"] == "filtered" and element["value"] == "Asia/Shanghai"
    assert len(element["choices"]) == len(zones)


def test_the_hint_and_the_error_come_right_under_their_input() -> None:
    form = Form(
        "t", "T", (Field("a", "A", "text", hint="Your team's name."), Field("b", "B", "text"))
    )
    body = form_card(form, {"a": "x"}, {"a": "Too short."})["body"]
    kinds = [(e["type"], e.get("id") or e.get("text")) for e in body[1:]]
    assert kinds == [
        ("Input.Text", "a"),
        ("TextBlock", "Too short."),
        ("TextBlock", "Your team's name."),
        ("Input.Text", "b"),
    ]


# --- state round trip ----------------------------------------------------------------------


def test_the_form_state_comes_back_with_the_values_without_server_state(
    organisation: DialogContext,
) -> None:
    (page,) = [
        r.shown
        for r in every_reply(organisation, ("assess",), depth=1)
        if isinstance(r.shown, Form) and r.shown.kind == "assess"
    ][:1]
    card = form_card(page)
    first = page.fields[0]
    back = read_submission(submitted(card, {first.id: first.options[0].value}))
    assert back == FormSubmission("assess", dict(page.state), {first.id: first.options[0].value})
    assert set(page.state) >= {"section", "page"}
    # and the dialog takes it from there, finding the same form from kind and state alone
    assert form_for(organisation, back.form, back.state).fields == page.fields


def test_a_multi_select_comes_back_as_a_list() -> None:
    form = Form(
        "setup",
        "Setup",
        (Field("c", "C", "multi_choice", options=(Option("a", "A"), Option("b", "B"))),),
        state={"x": "1"},
    )
    back = read_submission(submitted(form_card(form), {"c": "a,b"}))
    assert back == FormSubmission("setup", {"x": "1"}, {"c": ["a", "b"]})


def test_a_button_comes_back_as_its_action_and_value() -> None:
    card = message_card(Message("Status", buttons=(Button("Book", "book", "stage1", "primary"),)))
    (action,) = card["actions"]
    assert action["style"] == "positive"
    assert read_submission(action["data"]) == ButtonPress("book", "stage1")
    assert read_submission({"text": "hello"}) is None
    assert read_submission(None) is None


def test_no_field_may_take_the_name_the_card_data_uses() -> None:
    with pytest.raises(ValueError, match=DATA_KEY):
        form_card(Form("t", "T", (Field(DATA_KEY, "X", "text"),)))


# --- a refused submission -------------------------------------------------------------------


def test_a_refused_setup_shows_the_same_form_with_the_values_and_errors_on_their_fields(
    organisation: DialogContext,
) -> None:
    raw = {**SETUP, "organisation": "Acme & Co", "start_date": "9999-06-01", "it_staff": "lots"}
    outcome = handle_submit(organisation, "setup", {}, raw)
    assert set(outcome.errors) >= {"start_date", "it_staff"}, outcome.errors
    form = form_for(organisation, "setup", {})
    card = form_card(form, raw, outcome.errors, TODAY)
    check_card(card)
    shown = inputs(card)
    assert shown["organisation"]["value"] == "Acme & Co"  # an input's value is plain text
    assert shown["start_date"]["value"] == "9999-06-01"
    assert "value" not in shown["it_staff"]  # "lots" is no number: the error names it
    body = card["body"]
    for field, error in outcome.errors.items():
        at = next(n for n, e in enumerate(body) if e.get("id") == field)
        assert body[at + 1] == {
            "type": "TextBlock",
            "text": escape(error),
            "wrap": True,
            "color": "attention",
            "spacing": "none",
        }


# --- markup ---------------------------------------------------------------------------------


def test_typed_markup_is_shown_as_typed_in_every_text_and_fact() -> None:
    message = Message(
        heading=INJECTION,
        text=f"Saved by {mention('U2')}: {INJECTION}",
        facts=(Fact(INJECTION, INJECTION),),
        sections=(Section(INJECTION, INJECTION, (Fact("Name", INJECTION),)),),
    )
    card = render(message)
    marked = [e["text"] for e in elements(card) if e["type"] == "TextBlock"]
    marked += [
        f[k]
        for e in elements(card)
        if e["type"] == "FactSet"
        for f in e["facts"]
        for k in ("title", "value")
    ]
    assert len(marked) >= 7
    for text in marked:
        assert not re.search(r"(?<!\\)[*\[\]<>&]", text), text  # each one escaped
        assert "{{" not in text
    assert any("@U2" in t for t in marked)


def test_list_markers_at_a_line_start_are_escaped() -> None:
    assert escape("- a\n  + b\n10. c\n3) d\nx - y") == "\\- a\n  \\+ b\n10\\. c\n3\\) d\nx - y"


typed = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Co")), max_size=300)
# CommonMark: a backslash before ASCII punctuation stands for that character.
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@given(typed)
def test_any_typed_text_comes_back_as_typed_once_escapes_are_read(value: str) -> None:
    escaped = escape(value)
    assert not re.search(r"(?<!\\)[*_`~\[\]<>#&]", escaped.replace("\\\\", "")), escaped
    assert _UNESCAPE.sub(r"\1", escaped.replace("\u2060", "")) == value


# --- size -----------------------------------------------------------------------------------


def test_a_message_over_80_kb_leaves_sections_out_and_says_so() -> None:
    sections = tuple(Section(f"Area {n}", "x" * 2000) for n in range(60))
    message = Message("Status", sections=sections, buttons=(Button("Plan", "plan"),))
    card = render(message)
    texts = [e["text"] for e in elements(card) if e["type"] == "TextBlock"]
    assert CUT_NOTE.replace(".", "\\.") in texts or CUT_NOTE in texts
    assert "Area 59" not in texts and "Area 0" in texts
    assert card["actions"][0]["title"] == "Plan"
    assert MAX_CARD_BYTES - 2500 < card_bytes(card) <= MAX_CARD_BYTES
    whole = render(Message("Status", sections=sections[:30]))
    assert CUT_NOTE not in str(whole)


def test_the_size_check_counts_bytes_as_sent_and_refuses_a_card_over_the_limit() -> None:
    card = message_card(Message("说明", text="字" * 100))
    assert card_bytes(card) > len(str(card).encode()) // 2  # UTF-8, compact JSON
    assert check_size(card) is card
    with pytest.raises(CardTooLarge, match="bytes"):
        check_size(card, limit=card_bytes(card) - 1)
    big = Form("t", "T", tuple(Text("y" * 3000) for _ in range(30)))
    with pytest.raises(CardTooLarge):
        form_card(big)
