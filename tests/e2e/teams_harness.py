"""The real app served as in production for Teams, the Microsoft services faked around it.

`TeamsWorld` starts the fake identity provider (keys that sign incoming activities), the fake
token endpoint (the bot's own tokens) and the fake Bot Connector (what the bot posts to),
serves `bot.web.create_web_app` with the Teams endpoint under uvicorn on 127.0.0.1, and
offers what a person does in Teams: type to the bot in a personal chat or a channel, press a
card's button, submit a card. Every activity is signed as the Bot Connector signs it; a card
submission carries what Teams sends for an `Action.Submit`: the action's data merged with the
card's inputs, and `replyToId` = the card's message.

`check_all` fails the test if the connector refused anything the test did not allow, which
also holds every card sent to the Adaptive Card 1.5 schema and the size limit.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import uvicorn
from sqlalchemy.engine import Engine

from bot.settings import Settings
from bot.store.db import make_engine
from bot.teams.app import build_endpoint
from bot.teams.cards import MAX_CARD_BYTES, card_bytes
from bot.web import create_web_app
from bot.workers import Deps, make_slow_lane, make_worker
from iso20k_core.standard import load_bank
from tests.e2e.harness import free_port, wait_until
from tests.migrated import migrated
from tests.teamsfake.activities import Response, TeamsUser, message, new_id, signed_post
from tests.teamsfake.connector import FakeConnector, Sent
from tests.teamsfake.identity import APP_ID, FakeIdentity
from tests.teamsfake.tokens import APP_PASSWORD, FakeTokenService

NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
OTHER_TENANT = "0d1e2f3a-0000-4000-8000-00000000beef"
ALICE = TeamsUser("29:alice", "aad-alice-0001", "Alice Admin")
BOB = TeamsUser("29:bob", "aad-bob-0002", "Bob Builder")
CAROL = TeamsUser("29:carol", "aad-carol-0003", "Carol of Contoso")  # the other tenant's


def fixed_now() -> dt.datetime:
    return NOW


@dataclass
class TeamsWorld:
    identity: FakeIdentity
    tokens: FakeTokenService
    connector: FakeConnector
    base_url: str
    engine: Engine
    deps: Deps
    settings: Settings
    _server: uvicorn.Server
    _thread: threading.Thread
    chats: dict[tuple[str, str], str] = field(default_factory=dict)

    # -- what a person does ------------------------------------------------------------------

    def chat_of(self, user: TeamsUser, tenant: str = TENANT) -> str:
        """The person's 1:1 chat with the bot (opened in the fake on first use)."""
        key = (tenant, user.teams_id)
        if key not in self.chats:
            conversation = new_id("a:")
            self.connector.open(conversation, tenant_id=tenant, members=[user.teams_id])
            self.chats[key] = conversation
        return self.chats[key]

    def say(
        self,
        text: str,
        *,
        user: TeamsUser = ALICE,
        tenant: str = TENANT,
        conversation: str | None = None,
        conversation_type: str = "personal",
        mentions: tuple[TeamsUser, ...] = (),
        **claims: Any,
    ) -> Response:
        """Type to the bot: in the person's 1:1 chat, or in `conversation` (a channel)."""
        activity = message(
            text,
            tenant=tenant,
            user=user,
            conversation=conversation or self.chat_of(user, tenant),
            service_url=self.connector.service_url,
            conversation_type=conversation_type,  # type: ignore[arg-type]
            mentions=mentions,
        )
        self.connector.heard(activity)
        return signed_post(self.identity, self.base_url, activity, **claims)

    def submit(
        self,
        sent: Sent,
        values: Mapping[str, str] | None = None,
        *,
        user: TeamsUser = ALICE,
        tenant: str = TENANT,
        action: str | None = None,
    ) -> Response:
        """Press a card's submit action (by title; the first by default) with `values` for
        its inputs, as Teams sends it: the action's data merged with every input's value."""
        card = self.connector.latest_card(sent.activity_id)
        assert card is not None, f"no card in {sent.activity_id}"
        actions = [a for a in card.get("actions", []) if a["type"] == "Action.Submit"]
        chosen = next((a for a in actions if action is None or a["title"] == action), None)
        assert chosen is not None, f"no action {action!r} in {[a['title'] for a in actions]}"
        inputs = {e["id"]: _initial(e) for e in inputs_of(card)}
        merged = {**inputs, **(values or {}), **chosen.get("data", {})}
        activity = message(
            None,
            tenant=tenant,
            user=user,
            conversation=sent.conversation_id,
            service_url=self.connector.service_url,
            value=merged,
            reply_to=sent.activity_id,
        )
        return signed_post(self.identity, self.base_url, activity)

    # -- what the bot did --------------------------------------------------------------------

    def next_message(self, conversation: str, count: int) -> Sent:
        """Wait for the `count`-th message the bot sent to `conversation` (1-based)."""
        found = self.connector.wait_for(
            lambda: len(self.connector.messages_to(conversation)) >= count
        )
        assert found
        return self.connector.messages_to(conversation)[count - 1]

    def updated(self, sent: Sent, count: int = 1) -> dict[str, Any]:
        """Wait until the card of `sent` was updated `count` times; its latest card."""
        self.connector.wait_for(
            lambda: sum(u.activity_id == sent.activity_id for u in self.connector.updates) >= count
        )
        card = self.connector.latest_card(sent.activity_id)
        assert card is not None
        return card

    def check_all(self) -> None:
        self.connector.check_all()
        for sent in self.connector.sent:
            for card in sent.cards:
                assert card_bytes(card) <= MAX_CARD_BYTES
        for update in self.connector.updates:
            for card in update.cards:
                assert card_bytes(card) <= MAX_CARD_BYTES


def inputs_of(card: Mapping[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card.get("body", []))
    return found


def card_text(card: Mapping[str, Any]) -> str:
    """Every text a person reads on the card, joined, as shown (Markdown's backslash escapes
    read, as Teams renders them)."""
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value", "label"):
                if isinstance(node.get(key), str):
                    texts.append(node[key])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(card)
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(texts)).replace("\u2060", "")


def _initial(element: Mapping[str, Any]) -> str:
    value = element.get("value")
    return "" if value is None else str(value)


def start_teams_world(
    tmp_path: Path, database_url: str | None = None, processes: int = 0, **given: Any
) -> TeamsWorld:
    """The real app with the Teams endpoint under uvicorn against the fakes; dialog steps on
    a thread of this process, or in `processes` worker processes; `given` overrides
    settings."""
    identity = FakeIdentity().start()
    tokens = FakeTokenService().start()
    connector = FakeConnector(tokens).start()
    url = database_url or f"sqlite:///{tmp_path / 'teams.db'}"
    migrated(url)
    engine = make_engine(url)
    port = free_port()
    settings = Settings(
        teams_app_id=APP_ID,
        teams_app_password=APP_PASSWORD,
        teams_openid_metadata_url=identity.metadata_url,
        teams_token_url=tokens.token_url,
        public_url=f"http://127.0.0.1:{port}",
        database_url=url,
        **{"report_processes": 0, **given},
    )
    bank = load_bank()
    deps = Deps(
        engine=engine,
        bank=bank,
        worker=make_worker(settings, engine, bank, processes),
        clock=fixed_now,
        slow=make_slow_lane(settings, engine, bank),
    )
    app = create_web_app(
        None,
        teams=build_endpoint(settings, deps),
        files=engine,
        now=fixed_now,
        health=deps.health,
        on_shutdown=functools.partial(deps.background.drain, 30.0),
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, 60, "for uvicorn to start")
    for person in (ALICE, BOB):
        connector.add_person(person.teams_id, str(person.aad_object_id), person.name, TENANT)
    connector.add_person(CAROL.teams_id, str(CAROL.aad_object_id), CAROL.name, OTHER_TENANT)
    return TeamsWorld(
        identity,
        tokens,
        connector,
        f"http://127.0.0.1:{port}",
        engine,
        deps,
        settings,
        server,
        thread,
    )


def stop_teams_world(world: TeamsWorld) -> None:
    world._server.should_exit = True
    world._thread.join(timeout=30)
    world.deps.close()
    world.engine.dispose()
    world.connector.close()
    world.tokens.close()
    world.identity.close()
