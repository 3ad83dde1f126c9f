"""The Teams app package: the manifest against Microsoft's v1.30 schema, and what no schema
checks (icon sizes and colours, domains, ids, commands the bot answers, the zip's layout and
bytes), and `iso20k teams package` as a user runs it."""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft4Validator
from PIL import Image

from bot.cli import cli
from bot.dialogs.commands import COMMANDS, HELP
from bot.teams import package
from bot.teams.package import AppDetails, build_package, command_menu, details, fit
from tests.teams import manifest_schema

BOT_ID = "3f2b8c1e-7d4a-4e59-9b61-0c8d2e5f7a90"
OTHER_ID = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"
PUBLIC_URL = "https://iso20k.example.com/bot"
T = TypeVar("T")
SETTINGS = ("TEAMS_APP_ID", "PUBLIC_URL", "TEAMS_ALLOW_ANONYMOUS", "TEAMS_APP_PASSWORD")


def offline(load: Callable[[], T]) -> T:
    """`load()`, or when the pinned schema cannot be downloaded: a failure on CI (which must
    validate, not skip quietly), a skip with the reason elsewhere."""
    try:
        return load()
    except manifest_schema.SchemaUnavailable as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def validator() -> Draft4Validator:
    return offline(manifest_schema.validator)


def app(**changes: Any) -> AppDetails:
    given_: dict[str, Any] = {"bot_id": (None, BOT_ID), "public_url": (None, PUBLIC_URL)}
    return details(**{**given_, **changes})


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def manifest_of(data: bytes) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(unzip(data)["manifest.json"])
    return loaded


# --- the schema -------------------------------------------------------------------------


def test_the_manifest_is_valid_against_the_v1_30_schema(validator: Draft4Validator) -> None:
    manifest = manifest_of(build_package(app()))
    problems = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(manifest)]
    assert problems == []
    # draft-04 has no `const`: the schema's manifestVersion "1.30" is checked here instead
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["$schema"].endswith("/teams/v1.30/MicrosoftTeams.schema.json")


def test_the_validator_refuses_what_the_schema_refuses(validator: Draft4Validator) -> None:
    good = manifest_of(build_package(app()))
    long_name = {**good, "name": {**good["name"], "short": "x" * 31}}
    not_a_guid = {**good, "id": "iso20k"}
    not_a_uri = {**good, "$schema": "not a uri"}  # format checking is on
    extra = {**good, "color": "blue"}
    for bad in (long_name, not_a_guid, not_a_uri, extra):
        assert list(validator.iter_errors(bad)), bad


def test_the_schema_resolves_offline_and_its_limits_are_ours() -> None:
    schema = offline(manifest_schema.schema)
    assert manifest_schema.external_refs(schema) == []
    lists = schema["properties"]["bots"]["items"]["properties"]["commandLists"]
    commands = lists["items"]["properties"]["commands"]
    assert lists["maxItems"] == 3
    assert commands["maxItems"] == package.MAX_COMMANDS == 12
    fields = commands["items"]["properties"]
    assert fields["title"]["maxLength"] >= package.TITLE_MAX
    assert fields["description"]["maxLength"] >= package.DESCRIPTION_MAX


def test_the_cached_tarball_is_checked_before_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = tmp_path / "iso20k-tests" / f"app-manifest-{manifest_schema.NPM_VERSION}.tgz"
    cached.parent.mkdir()
    cached.write_bytes(b"not the package")
    monkeypatch.setattr(manifest_schema, "TARBALL_URL", "https://127.0.0.1:9/none.tgz")
    with pytest.raises(manifest_schema.SchemaUnavailable):
        manifest_schema.tarball()  # the bad copy is not used: it is thrown away and fetched
    assert not cached.exists()


# --- what the schema cannot see -----------------------------------------------------------


def test_the_zip_holds_exactly_the_three_files_at_its_root() -> None:
    with zipfile.ZipFile(io.BytesIO(build_package(app()))) as archive:
        assert archive.namelist() == ["manifest.json", "color.png", "outline.png"]
        assert archive.testzip() is None
    manifest = manifest_of(build_package(app()))
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_the_colour_icon_is_192_square_and_opaque() -> None:
    image = Image.open(io.BytesIO(unzip(build_package(app()))["color.png"]))
    assert image.format == "PNG" and image.size == (192, 192)
    assert image.mode == "RGB"  # no alpha channel: nothing can be transparent
    colours = {rgb for _, rgb in image.getcolors(192 * 192) or []}
    assert len(colours) > 2, "a drawing, not a flat square"
    assert image.getpixel((0, 0)) == (0x1F, 0x5C, 0x99)  # the accent colour


def test_the_outline_icon_is_32_square_white_on_transparent() -> None:
    image = Image.open(io.BytesIO(unzip(build_package(app()))["outline.png"]))
    assert image.format == "PNG" and image.size == (32, 32)
    assert image.mode == "RGBA"
    pixels = [image.getpixel((x, y)) for y in range(32) for x in range(32)]
    assert all((r, g, b) == (255, 255, 255) for r, g, b, a in pixels if a), "white only"
    alphas = [a for *_, a in pixels]
    assert image.getpixel((0, 0))[3] == 0 and image.getpixel((31, 31))[3] == 0
    assert max(alphas) == 255 and alphas.count(0) > len(alphas) // 2


def test_the_domain_is_public_urls_host_and_the_bot_is_teams_app_id() -> None:
    manifest = manifest_of(build_package(app()))
    assert manifest["validDomains"] == ["iso20k.example.com"]  # no scheme, no path
    (bot,) = manifest["bots"]
    assert bot["botId"] == BOT_ID and manifest["id"] == BOT_ID
    assert bot["scopes"] == ["personal", "team", "groupChat"]
    assert bot["supportsFiles"] is False and bot["isNotificationOnly"] is False
    assert "webApplicationInfo" not in manifest
    with_port = manifest_of(build_package(app(public_url=(None, "https://Bot.Example.org:8443"))))
    assert with_port["validDomains"] == ["bot.example.org"]
    assert with_port["developer"]["websiteUrl"] == "https://Bot.Example.org:8443"


def test_a_package_id_of_its_own_leaves_the_bot_id_alone() -> None:
    manifest = manifest_of(build_package(app(app_id=OTHER_ID)))
    assert manifest["id"] == OTHER_ID and manifest["bots"][0]["botId"] == BOT_ID


def test_the_version_is_the_projects_unless_given() -> None:
    assert manifest_of(build_package(app()))["version"] == importlib.metadata.version("iso20k")
    assert manifest_of(build_package(app(version="2.3.4")))["version"] == "2.3.4"


# --- the command menu ---------------------------------------------------------------------


def test_every_command_in_the_menu_is_one_the_bot_answers() -> None:
    manifest = manifest_of(build_package(app()))
    (commands_list,) = manifest["bots"][0]["commandLists"]
    titles = [c["title"] for c in commands_list["commands"]]
    assert len(titles) <= 12 and len(set(titles)) == len(titles)
    assert set(titles) <= set(COMMANDS)
    for command in commands_list["commands"]:
        assert len(command["title"]) <= package.TITLE_MAX
        assert 0 < len(command["description"]) <= package.DESCRIPTION_MAX


def test_the_menu_is_made_from_help_with_help_itself_left_out() -> None:
    menu = command_menu()
    words = [usage.split()[0] for usage, _ in HELP]
    assert len(HELP) == 14  # two more than a list holds: the rule below is in use
    assert menu.left_out == ("help", "log")  # help first, then the last of HELP (admins')
    assert [c["title"] for c in menu.commands] == [w for w in words if w not in ("help", "log")]
    meanings = dict((usage.split()[0], meaning) for usage, meaning in HELP)
    for command in menu.commands:
        meaning = meanings[command["title"]]
        assert command["description"].lower().startswith(meaning.lower())
    assign = next(c for c in menu.commands if c["title"] == "assign")
    assert assign["description"].endswith("Usage: assign @user section [YYYY-MM-DD]")


def test_the_rule_when_help_has_too_many_commands() -> None:
    rows = [("help", "this list")] + [(f"cmd{i} [x]", f"does {i}") for i in range(20)]
    menu = command_menu(rows, limit=12)
    assert [c["title"] for c in menu.commands] == [f"cmd{i}" for i in range(12)]
    assert menu.left_out == ("help", *[f"cmd{i}" for i in range(12, 20)])
    few = command_menu([("help", "this list"), ("status", "readiness")], limit=12)
    assert [c["title"] for c in few.commands] == ["help", "status"] and few.left_out == ()


def test_a_long_meaning_is_cut_at_a_word() -> None:
    menu = command_menu([("status", "word " * 100)])
    description = menu.commands[0]["description"]
    assert len(description) <= package.DESCRIPTION_MAX and description.endswith("word…")


@given(st.text(), st.integers(min_value=2, max_value=200))
def test_fit_never_exceeds_its_limit(text: str, limit: int) -> None:
    cut = fit(text, limit)
    assert len(cut) <= limit
    if len(" ".join(text.split())) <= limit:
        assert cut == " ".join(text.split())


# --- bytes ----------------------------------------------------------------------------------


def test_the_same_inputs_give_the_same_bytes() -> None:
    first, second = build_package(app()), build_package(app())
    assert first == second
    assert build_package(app(version="9.9.9")) != first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    """`iso20k teams package ARGS` in an empty folder, with only the settings given."""
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, **env: str) -> Result:
        return CliRunner().invoke(cli, ["teams", "package", *args], env=env)

    return invoke


def test_the_command_writes_the_package_and_says_what_next(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = run(TEAMS_APP_ID=BOT_ID, PUBLIC_URL=PUBLIC_URL)
    assert done.exit_code == 0, done.output
    written = tmp_path / "iso20k-teams.zip"
    assert f"wrote {written.name}" in done.stdout
    assert "Upload an app" in done.stdout and "Import app" in done.stdout
    assert "left out (still answered): help" in done.stdout
    assert written.read_bytes() == build_package(app())


def test_options_win_over_settings_and_output_goes_where_asked(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "out" / "teams.zip"
    target.parent.mkdir()
    done = run(
        "--app-id", OTHER_ID, "--public-url", "https://other.example.net", "-o", str(target),
        TEAMS_APP_ID=BOT_ID, PUBLIC_URL=PUBLIC_URL,
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    manifest = manifest_of(target.read_bytes())
    assert manifest["bots"][0]["botId"] == OTHER_ID
    assert manifest["validDomains"] == ["other.example.net"]


def test_running_it_twice_writes_identical_files(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {"TEAMS_APP_ID": BOT_ID, "PUBLIC_URL": PUBLIC_URL}
    assert run("-o", "a.zip", **env).exit_code == 0
    assert run("-o", "b.zip", **env).exit_code == 0
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


BOTH = {"TEAMS_APP_ID": BOT_ID, "PUBLIC_URL": PUBLIC_URL}
ONLY_ID = {"TEAMS_APP_ID": BOT_ID}
ONLY_URL = {"PUBLIC_URL": PUBLIC_URL}
HTTP = "http://iso20k.example.com"
BAD = [
    ((), ONLY_URL, "TEAMS_APP_ID is not set: set it to the bot's Microsoft app id"),
    ((), {**ONLY_URL, "TEAMS_APP_ID": ""}, "TEAMS_APP_ID is not set"),
    ((), {**ONLY_URL, "TEAMS_APP_ID": "iso20k-bot"}, "TEAMS_APP_ID: 'iso20k-bot' is not a GUID"),
    (("--app-id", BOT_ID[:-1]), ONLY_URL, f"--app-id: '{BOT_ID[:-1]}' is not a GUID"),
    (("--package-id", "x"), BOTH, "--package-id: 'x' is not a GUID"),
    ((), ONLY_ID, "PUBLIC_URL is not set: set it to where iso20k is reachable over https"),
    ((), {**ONLY_ID, "PUBLIC_URL": HTTP}, f"PUBLIC_URL: '{HTTP}' is not an https URL"),
    # no exception for development: a bot registration's endpoint is https anyway
    ((), {**ONLY_ID, "PUBLIC_URL": "http://localhost:3000"}, "PUBLIC_URL: 'http://localhost"),
    ((), {**ONLY_ID, "PUBLIC_URL": "iso20k.example.com"}, "PUBLIC_URL: 'iso20k.example.com' is"),
    (("--public-url", "https://h.example.com:99999"), ONLY_ID, "--public-url: 'https://h."),
    (("--public-url", "https://h.example.com/?a=1"), ONLY_ID, "--public-url: 'https://h."),
    (("--privacy-url", HTTP), BOTH, f"--privacy-url: '{HTTP}' is not an https URL"),
    (("--app-version", "1.0"), BOTH, "--app-version: '1.0' is not MAJOR.MINOR.PATCH"),
    (("--developer", "x" * 33), BOTH, "--developer: give a name of 1 to 32 characters"),
    ((), {**BOTH, "TEAMS_ALLOW_ANONYMOUS": "1"}, "TEAMS_ALLOW_ANONYMOUS is for local development"),
]


@pytest.mark.parametrize(("args", "env", "expected"), BAD)
def test_bad_or_missing_values_are_one_line_naming_them(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, args: tuple[str, ...], env: dict[str, str], expected: str
) -> None:
    done = run(*args, **env)
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"iso20k: {expected}"), done.stderr
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert isinstance(done.exception, SystemExit)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_an_unwritable_output_is_one_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    done = run(
        "-o", str(tmp_path / "missing" / "x.zip"), TEAMS_APP_ID=BOT_ID, PUBLIC_URL=PUBLIC_URL
    )
    assert done.exit_code == 2 and "cannot write" in done.stderr
