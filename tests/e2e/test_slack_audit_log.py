"""`/iso20k log` over real HTTP: a role granted in Slack is on the admin's trail, in Block Kit
the fake Slack accepts; a manager is refused."""

from __future__ import annotations

from tests.e2e.harness import SlackWorld, block_text
from tests.e2e.test_slack_basics import set_up


def test_the_log_shows_a_role_grant_to_the_admin_only(world: SlackWorld) -> None:
    set_up(world)
    world.command("role <@U2|bob> manager", user="U1")
    assert "is now manager" in block_text(world.last("response_url", 1).args["blocks"])

    world.command("log", user="U1")
    shown = block_text(world.last("response_url", 2).args["blocks"])
    assert "Audit trail" in shown
    assert "Entries 1–4 of 4, newest first. Times in Europe/Berlin." in shown
    assert "Role of <@U2>: member → manager" in shown
    assert "Role of <@U1>: member → admin" in shown
    assert "Reminder channel: none → <#C42>" in shown
    assert "Set up the organisation profile: Organisation name: Acme IT" in shown

    world.command("log", user="U2")
    refused = block_text(world.last("response_url", 3).args["blocks"])
    assert "Only admins can see the audit trail" in refused and "Role of" not in refused
    world.check_all()
