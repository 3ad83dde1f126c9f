"""Reports and exports from Slack: acknowledged at once, then uploaded with files_upload_v2."""

from __future__ import annotations

from tests.e2e.harness import SlackWorld, block_text
from tests.e2e.test_slack_basics import set_up


def test_report_is_prepared_after_the_ack_and_uploaded(world: SlackWorld) -> None:
    set_up(world)
    response = world.command("report pdf")
    assert response.status == 200
    assert "Preparing your file" in response.text  # said in the acknowledgement itself
    reply = world.last("response_url")
    assert "Feasibility report" in block_text(reply.args["blocks"])
    done = world.last("files.completeUploadExternal")
    assert done.args["channel_id"].startswith("D")  # the person's direct messages
    files = done.json("files") if isinstance(done.args.get("files"), str) else done.args["files"]
    assert files[0]["title"] == "ISO/IEC 20000-1 feasibility report"
    uploaded = list(world.slack.uploads.values())
    assert uploaded[0].startswith(b"%PDF")


def test_exports_and_who_may_have_them(world: SlackWorld) -> None:
    set_up(world)
    world.command("export ics", user="U2")  # a member may have the calendar
    world.last("files.completeUploadExternal")
    assert next(iter(world.slack.uploads.values())).startswith(b"BEGIN:VCALENDAR")
    world.command("export xlsx", user="U2")  # but not the workbook with costs
    assert "managers only" in block_text(world.last("response_url", 2).args["blocks"])
    world.command("export xlsx")
    world.slack.wait_for("files.completeUploadExternal", 2)
    assert any(v.startswith(b"PK") for v in world.slack.uploads.values())
    world.command("export pdf")
    assert "Which format?" in block_text(world.last("response_url", 4).args["blocks"])


def test_plan_and_cost_come_with_their_charts(world: SlackWorld) -> None:
    set_up(world)
    world.command("plan")
    world.slack.wait_for("files.completeUploadExternal")
    world.command("cost")
    world.slack.wait_for("files.completeUploadExternal", 2)
    assert all(v.startswith(b"\x89PNG") for v in world.slack.uploads.values())
