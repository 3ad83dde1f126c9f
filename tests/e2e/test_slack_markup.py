"""An organisation named like Slack markup, end to end: shown as typed, pinging nobody."""

from __future__ import annotations

import re

from tests.e2e.harness import SlackWorld
from tests.e2e.test_slack_basics import setup_values, text
from tests.slack.test_markup import INJECTION, bare, texts


def test_an_injected_organisation_name_is_escaped_in_every_message(world: SlackWorld) -> None:
    admin = "U7"  # not U1, whom the name tries to ping
    world.command("setup", user=admin)
    view = world.opened_view()
    answer = world.submit(view, setup_values(organisation=text(INJECTION)), user=admin)
    assert answer.status == 200 and answer.text == ""
    for command in ("status", "plan", "risks", "audit"):
        world.command(command, user=admin)
    world.command("assign <@U2|bob> resolution", user=admin)
    world.last("response_url", 5)
    sent = [
        c
        for c in world.slack.calls
        if c.method in ("chat.postMessage", "response_url", "views.publish")
    ]
    shown = False
    for call in sent:
        blocks = call.args.get("blocks") or []
        for markup in [*texts(blocks, "mrkdwn"), str(call.args.get("text", ""))]:
            assert not re.search("[<>]", bare(markup)), (call.method, markup)
            assert not re.search("<!|<@U1>", markup), (call.method, markup)
            shown = shown or "&lt;!channel&gt;" in markup
    assert shown  # the name was shown somewhere, escaped
    # the one mention written on purpose still reaches bob's direct message
    notice = [c for c in world.slack.calls_to("chat.postMessage") if c.args["channel"] == "U2"]
    assert "<@U7> asked you to answer" in " ".join(texts(notice[0].args["blocks"], "mrkdwn"))
