"""The manifest asks for every scope the app's Web API calls need, and the README says so."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Each method the app calls and the bot scope Slack's method reference lists for it.
NEEDED = {
    "chat.postMessage": "chat:write",
    "conversations.open": "im:write",
    "files.getUploadURLExternal": "files:write",
    "users.info": "users:read",
}


def test_every_scope_the_app_needs_is_asked_for_and_documented() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    scopes = manifest["oauth_config"]["scopes"]["bot"]
    assert set(NEEDED.values()) | {"commands"} == set(scopes)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    slack = readme[readme.index("## Slack") : readme.index("## Reports")]
    assert all(f"`{scope}`" in slack for scope in scopes)
    assert "five bot" in slack and "Reinstall" in slack
