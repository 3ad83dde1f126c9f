"""Form fields as Block Kit inputs: long lists in groups, declared limits on the element."""

from bot.dialogs.model import Field, Form, Option
from bot.slack.blocks import modal_view
from iso20k_core import places
from tests.slackfake.limits import check_view


def _element(field: Field) -> dict[str, object]:
    view = modal_view(Form(kind="t", title="T", items=(field,)))
    check_view(view)
    element = view["blocks"][0]["element"]
    assert isinstance(element, dict)
    return element


def test_a_long_list_is_a_select_in_groups_of_at_most_a_hundred() -> None:
    zones = tuple(Option(p.code, p.label, p.group) for p in places.timezones())
    element = _element(
        Field("timezone", "Timezone", "choice", options=zones, initial="Asia/Shanghai")
    )
    assert element["type"] == "static_select" and "options" not in element
    groups = element["option_groups"]
    assert isinstance(groups, list)
    assert sum(len(g["options"]) for g in groups) == len(zones)
    assert all(len(g["options"]) <= 100 for g in groups)
    assert element["initial_option"] == {
        "text": {"type": "plain_text", "text": "Asia/Shanghai – China", "emoji": True},
        "value": "Asia/Shanghai",
    }


def test_a_text_field_tells_slack_its_own_limit() -> None:
    element = _element(Field("name", "Name", "text", max_length=200, initial="x" * 250))
    assert element["max_length"] == 200
    assert element["initial_value"] == "x" * 200
