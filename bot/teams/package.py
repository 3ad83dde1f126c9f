"""The Microsoft Teams app package: manifest.json, color.png and outline.png in one zip.

Teams installs a bot from this zip ("Upload a custom app", or the Developer Portal's
"Import app"). The manifest follows schema v1.30 (npm `@microsoft/app-manifest`,
`build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json`); the tests validate it against
that file. What the schema leaves unchecked is checked here: the bot id and app id are GUIDs,
the version is MAJOR.MINOR.PATCH (v1.30's `version` has no pattern, yet Teams wants semver),
PUBLIC_URL is https, and the icons' sizes (which no schema can see).

The command menu is made from `bot.dialogs.commands.HELP`, never written by hand, so it
cannot drift from what the bot answers. Icons are drawn at build time with Pillow, so no
binary file lives in the repository. The zip is byte-for-byte the same for the same inputs:
fixed entry order, timestamps and permissions.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

from PIL import Image, ImageDraw

from bot.dialogs.commands import HELP

MANIFEST_VERSION = "1.30"
SCHEMA_URL = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/"
    f"v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
SCOPES = ("personal", "team", "groupChat")
# v1.30 allows 3 command lists of 12 commands each (12 since v1.24, 10 before). The title
# and description limits are those of v1.20 and earlier (32 and 128): within v1.30's (128 and
# 4000), and what the command menu shows on one line.
MAX_COMMANDS = 12
TITLE_MAX = 32
DESCRIPTION_MAX = 128
# Left out of the menu first when HELP has more commands than it holds: the menu itself lists
# the commands, and the bot answers anything it does not know with the help.
LEFT_OUT_FIRST = ("help",)

SHORT_NAME = "iso20k"  # ≤ 30
FULL_NAME = "iso20k: ISO/IEC 20000-1 certification assistant"  # ≤ 100
SHORT_DESCRIPTION = "Prepare your IT organisation for ISO/IEC 20000-1 certification"  # ≤ 80
FULL_DESCRIPTION = (
    "iso20k does the preparation work of a certification consultant for ISO/IEC 20000-1:2018: "
    "the team answers an assessment in chat, and iso20k works out readiness and gaps, a "
    "five-stage certification plan with audit batches, a cost estimate, and risks with "
    "countermeasures. It reminds people of what they were asked to answer, and hands out the "
    "feasibility report and the plan for Excel, MS Project or a calendar."
)  # ≤ 4000
DEVELOPER_NAME = "iso20k"  # ≤ 32
ACCENT_COLOR = "#1F5C99"
# The colour icon's check mark is white on the accent colour; the outline icon is the same
# mark in white on transparent (Teams draws it in its own colours).
COLOR_SIZE = 192
OUTLINE_SIZE = 32
COLOR_ICON = "color.png"
OUTLINE_ICON = "outline.png"
MANIFEST = "manifest.json"
# Zip entries dated 1980-01-01, the earliest a zip can hold: same inputs, same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)

GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
SEMVER = re.compile(r"^(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)\.(?:0|[1-9][0-9]*)$")


class PackageError(ValueError):
    """A value the package cannot be made from; the message names it and says what to do."""


@dataclass(frozen=True)
class AppDetails:
    """What the manifest says of the app, all checked (see `details`)."""

    bot_id: str
    app_id: str
    public_url: str
    version: str
    developer_name: str
    website_url: str
    privacy_url: str
    terms_url: str

    @property
    def domain(self) -> str:
        """PUBLIC_URL's host: download links and card images are served from there."""
        return urlsplit(self.public_url).hostname or ""


def details(
    *,
    bot_id: tuple[str | None, str | None],
    public_url: tuple[str | None, str | None],
    app_id: str | None = None,
    version: str | None = None,
    developer_name: str | None = None,
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
) -> AppDetails:
    """Check every value; `bot_id` and `public_url` are (option, setting) pairs, the option
    winning. Raises PackageError naming the option or setting that is missing or wrong."""
    bot = _guid(*_given(bot_id, "--app-id", "TEAMS_APP_ID", "the bot's Microsoft app id"))
    url = _https(
        *_given(public_url, "--public-url", "PUBLIC_URL", "where iso20k is reachable over https")
    )
    developer = developer_name if developer_name is not None else DEVELOPER_NAME
    if not 1 <= len(developer.strip()) <= 32:
        raise PackageError("--developer: give a name of 1 to 32 characters")
    return AppDetails(
        bot_id=bot,
        app_id=_guid(app_id, "--package-id") if app_id is not None else bot,
        public_url=url,
        version=_version(version),
        developer_name=developer.strip(),
        website_url=_https(website_url, "--website-url") if website_url is not None else url,
        privacy_url=_https(privacy_url, "--privacy-url") if privacy_url is not None else url,
        terms_url=_https(terms_url, "--terms-url") if terms_url is not None else url,
    )


def _given(
    pair: tuple[str | None, str | None], option: str, setting: str, what: str
) -> tuple[str, str]:
    given, configured = pair
    if given is not None:
        return given, option
    if configured:
        return configured, setting
    raise PackageError(f"{setting} is not set: set it to {what}, or pass {option}")


def _guid(value: str, name: str) -> str:
    if not GUID.match(value.strip()):
        raise PackageError(
            f"{name}: {value!r} is not a GUID (like 00000000-0000-0000-0000-000000000000); "
            "use the app id of the bot's registration"
        )
    return value.strip()


def _https(value: str, name: str) -> str:
    # Plain http, even http://localhost, is refused: Teams opens links and loads card images
    # over https only, and a bot registration's endpoint must be https too, so a development
    # setup has an https tunnel already (dev tunnels, ngrok); the Emulator needs no package.
    value = value.strip()
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a bad port raises only when read
    except ValueError:
        raise PackageError(f"{name}: {value!r} is not a URL") from None
    if parts.scheme.lower() != "https" or not parts.hostname:
        raise PackageError(
            f"{name}: {value!r} is not an https URL (https://iso20k.example.com); Teams "
            "uses https only: for development use an https tunnel"
        )
    if parts.username is not None or parts.query or parts.fragment:
        raise PackageError(f"{name}: {value!r}: give the address only, no user, query or #")
    return value


def _version(value: str | None) -> str:
    if value is not None:
        if not SEMVER.match(value):
            raise PackageError(f"--app-version: {value!r} is not MAJOR.MINOR.PATCH (1.0.0)")
        return value
    try:
        project = metadata.version("iso20k")
    except metadata.PackageNotFoundError:
        raise PackageError(
            "iso20k is not installed, so it has no version: pass --app-version"
        ) from None
    if not SEMVER.match(project):  # a development build (0.2.0.dev1): Teams wants X.Y.Z
        raise PackageError(
            f"the project's version {project!r} is not MAJOR.MINOR.PATCH: pass --app-version"
        )
    return project


@dataclass(frozen=True)
class CommandMenu:
    """The command list for Teams, and what HELP has that it had no room for."""

    commands: tuple[dict[str, str], ...]
    left_out: tuple[str, ...]


def command_menu(
    help_rows: Sequence[tuple[str, str]] = HELP, limit: int = MAX_COMMANDS
) -> CommandMenu:
    """HELP as Teams commands: title the command word, description its meaning and usage.

    In HELP's order (the order a person meets them). With more commands than `limit`, those
    in LEFT_OUT_FIRST go first, then the last of HELP."""
    rows = [(usage.split()[0], usage.split()[1:], meaning) for usage, meaning in help_rows]
    for word in LEFT_OUT_FIRST:
        if len(rows) > limit:
            rows = [row for row in rows if row[0] != word]
    kept = rows[:limit]
    words = {word for word, _, _ in kept}
    left_out = tuple(usage.split()[0] for usage, _ in help_rows if usage.split()[0] not in words)
    commands = []
    for word, args, meaning in kept:
        if len(word) > TITLE_MAX:  # a command word cannot be cut: it would answer nothing
            raise ValueError(f"command {word!r} is longer than {TITLE_MAX} characters")
        # The meaning first: if the text must be cut, the usage goes, not what it does.
        text = meaning[:1].upper() + meaning[1:]
        if args:
            text += f". Usage: {word} {' '.join(args)}"
        commands.append({"title": word, "description": fit(text, DESCRIPTION_MAX)})
    return CommandMenu(tuple(commands), left_out)


def fit(text: str, limit: int) -> str:
    """`text` cut at a word to at most `limit` characters, an ellipsis marking the cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.") + "…"


def manifest(app: AppDetails, menu: CommandMenu | None = None) -> dict[str, Any]:
    """manifest.json for schema v1.30."""
    menu = menu or command_menu()
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": app.version,
        "id": app.app_id,
        "developer": {
            "name": app.developer_name,
            "websiteUrl": app.website_url,
            "privacyUrl": app.privacy_url,
            "termsOfUseUrl": app.terms_url,
        },
        "name": {"short": SHORT_NAME, "full": FULL_NAME},
        "description": {"short": SHORT_DESCRIPTION, "full": FULL_DESCRIPTION},
        "icons": {"color": COLOR_ICON, "outline": OUTLINE_ICON},
        "accentColor": ACCENT_COLOR,
        "bots": [
            {
                "botId": app.bot_id,
                "scopes": list(SCOPES),
                "supportsFiles": False,  # reports go out as download links, not Teams files
                "isNotificationOnly": False,
                # One list for every scope: the bot answers the same commands everywhere.
                "commandLists": [{"scopes": list(SCOPES), "commands": list(menu.commands)}],
            }
        ],
        # identity: who is talking (their Entra object id); messageTeamMembers: reminders and
        # assignments go to a person's 1:1 chat with the bot.
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [app.domain],
    }


def _check_mark(size: int) -> Image.Image:
    """The mark as an 8-bit mask: a check mark in a ring, drawn at 8× and averaged down, so its
    edges are smooth at any size."""
    big = size * 8
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    ring = big * 0.07
    inset = big * 0.08
    draw.ellipse((inset, inset, big - inset, big - inset), outline=255, width=round(ring))
    points = [(big * 0.29, big * 0.52), (big * 0.44, big * 0.67), (big * 0.72, big * 0.37)]
    stroke = round(big * 0.1)
    draw.line(points, fill=255, width=stroke, joint="curve")
    for x, y in (points[0], points[-1]):  # round ends
        r = stroke / 2
        draw.ellipse((x - r, y - r, x + r, y + r), fill=255)
    return mask.reduce(8)  # a box average: no ringing, so what is off the mark stays 0


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def color_icon() -> bytes:
    """192×192, opaque: a white check mark on the accent colour."""
    image = Image.new("RGB", (COLOR_SIZE, COLOR_SIZE), ACCENT_COLOR)
    image.paste((255, 255, 255), (0, 0), _check_mark(COLOR_SIZE))
    return _png(image)


def outline_icon() -> bytes:
    """32×32: the check mark in white, everything else transparent (Teams' rule)."""
    white = Image.new("L", (OUTLINE_SIZE, OUTLINE_SIZE), 255)
    return _png(Image.merge("RGBA", (white, white, white, _check_mark(OUTLINE_SIZE))))


def build_package(app: AppDetails, menu: CommandMenu | None = None) -> bytes:
    """The app package zip: the three files at its root, the same bytes for the same app."""
    text = json.dumps(manifest(app, menu), indent=2, ensure_ascii=False) + "\n"
    files = ((MANIFEST, text.encode()), (COLOR_ICON, color_icon()), (OUTLINE_ICON, outline_icon()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for name, data in files:
            entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3  # Unix, whatever builds it
            entry.external_attr = 0o100644 << 16  # a plain file, rw-r--r--
            package.writestr(entry, data)
    return out.getvalue()
