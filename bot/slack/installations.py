"""Bolt's installation and OAuth state stores, on the project's own database.

slack_sdk's `InstallationStore` and `OAuthStateStore` interfaces, over `SlackInstallation`
and `SlackOAuthState` (bot/store/models.py, migration 0009). One row per installation, keyed
`enterprise:team` (`installation_key`): a reinstall replaces the row. Every token (bot,
bot refresh, user, user refresh, the incoming webhook's URL) is only ever inside `secrets`,
one Fernet token (bot/store/secrets.py); the columns hold what installations are looked up
by. The async variants Bolt's AsyncApp needs run the sync ones on a thread.

Saving an installation resumes its organisation (`Organisation.uninstalled_at` cleared), so
a reinstall picks up where the workspace left off.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets as random
import threading
import time
from collections.abc import Callable
from typing import Any

from cachetools import LRUCache
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import (
    AsyncInstallationStore,
)
from slack_sdk.oauth.installation_store.installation_store import InstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.slack.tenant import tenant_key
from bot.store.models import Organisation, SlackInstallation, SlackOAuthState
from bot.store.secrets import Cipher

log = logging.getLogger(__name__)
# Tokens, and what would let someone act as the app: never outside the encrypted object.
SECRET_FIELDS = (
    "bot_token",
    "bot_refresh_token",
    "user_token",
    "user_refresh_token",
    "incoming_webhook_url",
)
# The rest of an installation the table has no column for; kept in the same object, since
# the schema is the one Bolt looks rows up by.
EXTRA_FIELDS = (
    "enterprise_url",
    "user_scopes",
    "user_token_expires_at",
    "incoming_webhook_channel",
    "incoming_webhook_channel_id",
    "incoming_webhook_configuration_url",
    "token_type",
)
DECRYPTED_KEPT = 1_000  # installations whose secrets are kept decrypted, per process
STATE_SECONDS = 600  # an install link works ten minutes (Bolt's default)


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def installation_key(
    enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False
) -> str:
    """`SlackInstallation.installation_key`: an organisation-wide install has no team."""
    team = "" if is_enterprise_install else (team_id or "")
    return f"{enterprise_id or ''}:{team}"


class DatabaseInstallationStore(InstallationStore):
    """The sync store: the worker processes and the reminder worker read tokens with it."""

    def __init__(
        self, engine: Engine, cipher: Cipher, clock: Callable[[], dt.datetime] = utc_now
    ) -> None:
        self.engine = engine
        self.cipher = cipher
        self.clock = clock
        # What each stored ciphertext decrypts to: a row read for every call costs no
        # decryption until it changes (a reinstall, a refreshed token, rotate-secrets).
        self._plain: LRUCache[str, dict[str, str]] = LRUCache(DECRYPTED_KEPT)
        self._lock = threading.Lock()

    def decrypt(self, token: str) -> dict[str, str]:
        with self._lock:
            found = self._plain.get(token)
        if found is None:
            found = self.cipher.decrypt(token)
            with self._lock:
                self._plain[token] = found
        return dict(found)

    @property
    def logger(self) -> logging.Logger:
        return log

    # -- saving ---------------------------------------------------------------------------

    def save(self, installation: Installation) -> None:
        secrets = {name: getattr(installation, name) for name in SECRET_FIELDS}
        extras = {name: getattr(installation, name) for name in EXTRA_FIELDS}
        extras["user_scopes"] = ",".join(installation.user_scopes or []) or None
        if installation.user_token_expires_at is not None:
            extras["user_token_expires_at"] = str(installation.user_token_expires_at)
        values: dict[str, Any] = {
            "enterprise_id": installation.enterprise_id,
            "team_id": installation.team_id,
            "is_enterprise_install": bool(installation.is_enterprise_install),
            "app_id": installation.app_id,
            "team_name": installation.team_name,
            "enterprise_name": installation.enterprise_name,
            "bot_id": installation.bot_id,
            "bot_user_id": installation.bot_user_id,
            "bot_scopes": ",".join(installation.bot_scopes or []) or None,
            "installer_user_id": installation.user_id,
            "secrets": self.cipher.encrypt({**secrets, **extras}),
            "bot_token_expires_at": _moment(installation.bot_token_expires_at),
        }
        key = installation_key(
            installation.enterprise_id, installation.team_id, installation.is_enterprise_install
        )
        self._upsert(key, values)
        log.info("Slack installation %s saved", key)

    def save_bot(self, bot: Bot) -> None:
        """A bot's tokens alone (after a rotation): the installation's user tokens stay."""
        key = installation_key(bot.enterprise_id, bot.team_id, bot.is_enterprise_install)
        with Session(self.engine) as session:
            row = _row(session, key)
            kept = self.cipher.decrypt(row.secrets) if row is not None else {}
            kept.update(bot_token=bot.bot_token)
            kept.pop("bot_refresh_token", None)
            if bot.bot_refresh_token:
                kept["bot_refresh_token"] = bot.bot_refresh_token
        values: dict[str, Any] = {
            "enterprise_id": bot.enterprise_id,
            "team_id": bot.team_id,
            "is_enterprise_install": bool(bot.is_enterprise_install),
            "app_id": bot.app_id,
            "team_name": bot.team_name,
            "enterprise_name": bot.enterprise_name,
            "bot_id": bot.bot_id,
            "bot_user_id": bot.bot_user_id,
            "bot_scopes": ",".join(bot.bot_scopes or []) or None,
            "secrets": self.cipher.encrypt(kept),
            "bot_token_expires_at": _moment(bot.bot_token_expires_at),
        }
        self._upsert(key, values)

    def _upsert(self, key: str, values: dict[str, Any]) -> None:
        # Two saves of one workspace at once (a double click on "Allow"): the second to
        # insert meets the unique key and updates the row the first made instead.
        for attempt in range(2):
            with Session(self.engine) as session:
                row = _row(session, key)
                if row is None:
                    row = SlackInstallation(installation_key=key, **values)
                else:
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.updated_at = self.clock()
                session.add(row)
                _resume(session, values.get("enterprise_id"), values.get("team_id"))
                try:
                    session.commit()
                    return
                except IntegrityError:
                    session.rollback()
                    if attempt:
                        raise

    # -- finding --------------------------------------------------------------------------

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = self._find(enterprise_id, team_id, is_enterprise_install)
        if found is None:
            return None
        return _bot_of(*found)

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        found = self._find(enterprise_id, team_id, is_enterprise_install)
        if found is None:
            return None
        row, secrets = found
        # One installer per row: another person's user token is not ours to give.
        if user_id is not None and user_id != row.installer_user_id:
            return None
        expires = secrets.get("user_token_expires_at")
        return Installation(
            app_id=row.app_id,
            enterprise_id=row.enterprise_id,
            enterprise_name=row.enterprise_name,
            enterprise_url=secrets.get("enterprise_url"),
            team_id=row.team_id,
            team_name=row.team_name,
            bot_token=secrets.get("bot_token"),
            bot_id=row.bot_id,
            bot_user_id=row.bot_user_id,
            bot_scopes=row.bot_scopes or "",
            bot_refresh_token=secrets.get("bot_refresh_token"),
            bot_token_expires_at=_epoch(row.bot_token_expires_at),
            user_id=row.installer_user_id or "",
            user_token=secrets.get("user_token"),
            user_scopes=secrets.get("user_scopes") or "",
            user_refresh_token=secrets.get("user_refresh_token"),
            user_token_expires_at=int(expires) if expires else None,
            incoming_webhook_url=secrets.get("incoming_webhook_url"),
            incoming_webhook_channel=secrets.get("incoming_webhook_channel"),
            incoming_webhook_channel_id=secrets.get("incoming_webhook_channel_id"),
            incoming_webhook_configuration_url=secrets.get("incoming_webhook_configuration_url"),
            is_enterprise_install=row.is_enterprise_install,
            token_type=secrets.get("token_type"),
            installed_at=row.installed_at.timestamp(),
        )

    def _find(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> tuple[SlackInstallation, dict[str, str]] | None:
        keys = [installation_key(enterprise_id, team_id, is_enterprise_install)]
        if enterprise_id and not is_enterprise_install:
            # A workspace of an enterprise is served by the organisation-wide install too.
            keys.append(installation_key(enterprise_id, None, True))
        with Session(self.engine) as session:
            for key in keys:
                row = _row(session, key)
                if row is not None:
                    return row, self.decrypt(row.secrets)
        return None

    # -- rotating the bot token -------------------------------------------------------------

    def refresh_bot(
        self, enterprise_id: str | None, team_id: str, rotator: TokenRotator, minutes: int
    ) -> Bot | None:
        """The workspace's bot, its token refreshed first if it expires within `minutes`.

        The row is locked while Slack is asked, so two processes seeing the same expiring
        token refresh it once: the second finds the new token and keeps it."""
        with Session(self.engine) as session:
            keys = [installation_key(enterprise_id, team_id)]
            if enterprise_id:
                keys.append(installation_key(enterprise_id, None, True))
            locked = None
            for key in keys:
                # An UPDATE that changes nothing takes the row's lock on PostgreSQL and the
                # database's write lock on SQLite (FOR UPDATE alone is ignored there), held
                # until the commit: a second refresher waits, then reads the new token.
                held = session.execute(
                    update(SlackInstallation)
                    .where(col(SlackInstallation.installation_key) == key)
                    .values(updated_at=col(SlackInstallation.updated_at))
                )
                if held.rowcount:  # type: ignore[attr-defined]
                    locked = _row(session, key)
                    break
            if locked is None:
                return None
            bot = _bot_of(locked, self.cipher.decrypt(locked.secrets))
            if bot is None:
                return None
            rotated = rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=minutes)
            if rotated is None:
                return bot
            kept = self.cipher.decrypt(locked.secrets)
            kept["bot_token"] = rotated.bot_token
            if rotated.bot_refresh_token:
                kept["bot_refresh_token"] = rotated.bot_refresh_token
            locked.secrets = self.cipher.encrypt(kept)
            locked.bot_token_expires_at = _moment(rotated.bot_token_expires_at)
            locked.updated_at = self.clock()
            session.add(locked)
            session.commit()
            log.info("Slack bot token of %s refreshed", locked.installation_key)
            return rotated

    # -- deleting (app_uninstalled, tokens_revoked: Bolt's own listeners) -----------------

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._delete(installation_key(enterprise_id, team_id))

    def delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        key = installation_key(enterprise_id, team_id)
        if user_id is None:
            self._delete(key)
            return
        with Session(self.engine) as session:  # only that person's user token goes
            row = _row(session, key)
            if row is None or row.installer_user_id != user_id:
                return
            kept = self.cipher.decrypt(row.secrets)
            for name in ("user_token", "user_refresh_token", "user_token_expires_at"):
                kept.pop(name, None)
            row.secrets = self.cipher.encrypt(kept)
            session.add(row)
            session.commit()

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self._delete(installation_key(enterprise_id, team_id))

    def _delete(self, key: str) -> None:
        with Session(self.engine) as session:
            session.execute(
                delete(SlackInstallation).where(col(SlackInstallation.installation_key) == key)
            )
            session.commit()


class AsyncDatabaseInstallationStore(AsyncInstallationStore):
    """The same store for Bolt's AsyncApp: each call on a thread, off the event loop.

    With a `rotator`, a bot token expiring within `minutes` is refreshed as it is found,
    under the row's lock (`refresh_bot`), as the workers do: Bolt's own rotation, which
    holds no lock, then finds nothing to do, so two processes never spend one refresh
    token twice."""

    def __init__(
        self,
        store: DatabaseInstallationStore,
        rotator: TokenRotator | None = None,
        minutes: int = 120,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.rotator = rotator
        self.minutes = minutes
        self.wall = wall

    def _find_bot(
        self, enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None
    ) -> Bot | None:
        bot = self.store.find_bot(
            enterprise_id=enterprise_id,
            team_id=team_id,
            is_enterprise_install=is_enterprise_install,
        )
        expires = None if bot is None else bot.bot_token_expires_at
        if bot is None or self.rotator is None or expires is None:
            return bot
        if expires > self.wall() + self.minutes * 60:
            return bot
        team = "" if bot.is_enterprise_install else (bot.team_id or "")
        return self.store.refresh_bot(bot.enterprise_id, team, self.rotator, self.minutes)

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        await asyncio.to_thread(self.store.save, installation)

    async def async_save_bot(self, bot: Bot) -> None:
        await asyncio.to_thread(self.store.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        return await asyncio.to_thread(
            self._find_bot, enterprise_id, team_id, is_enterprise_install
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        return await asyncio.to_thread(
            lambda: self.store.find_installation(
                enterprise_id=enterprise_id,
                team_id=team_id,
                user_id=user_id,
                is_enterprise_install=is_enterprise_install,
            )
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(
            lambda: self.store.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        await asyncio.to_thread(
            lambda: self.store.delete_installation(
                enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
            )
        )

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await asyncio.to_thread(
            lambda: self.store.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        )


class DatabaseOAuthStateStore(OAuthStateStore):
    """OAuth `state`s: issued with an expiry on /slack/install, consumed once on the redirect.
    A state is 32 random bytes (url-safe), so it cannot be guessed."""

    def __init__(
        self,
        engine: Engine,
        expiration_seconds: int = STATE_SECONDS,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.engine = engine
        self.expiration_seconds = expiration_seconds
        self.clock = clock

    @property
    def logger(self) -> logging.Logger:
        return log

    def issue(self, *args: Any, **kwargs: Any) -> str:
        state = random.token_urlsafe(32)
        now = self.clock()
        with Session(self.engine) as session:
            # Housekeeping on the way: states nobody came back with.
            session.execute(delete(SlackOAuthState).where(col(SlackOAuthState.expires_at) <= now))
            expires = now + dt.timedelta(seconds=self.expiration_seconds)
            session.add(SlackOAuthState(state=state, expires_at=expires))
            session.commit()
        return state

    def consume(self, state: str) -> bool:
        """True once for a state issued and not expired; a second use, an expired or an
        unknown state is False. The delete is the check, so two redirects racing with one
        state cannot both win."""
        if not state:
            return False
        with Session(self.engine) as session:
            gone = session.execute(
                delete(SlackOAuthState).where(
                    col(SlackOAuthState.state) == state,
                    col(SlackOAuthState.expires_at) > self.clock(),
                )
            )
            session.execute(delete(SlackOAuthState).where(col(SlackOAuthState.state) == state))
            session.commit()
        return bool(gone.rowcount == 1)  # type: ignore[attr-defined]


class AsyncDatabaseOAuthStateStore(AsyncOAuthStateStore):
    def __init__(self, store: DatabaseOAuthStateStore) -> None:
        self.store = store

    @property
    def logger(self) -> logging.Logger:
        return log

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        return await asyncio.to_thread(self.store.issue)

    async def async_consume(self, state: str) -> bool:
        return await asyncio.to_thread(self.store.consume, state)


def rotate_secrets(engine: Engine, cipher: Cipher) -> int:
    """Every installation's secrets encrypted anew with the first key (`iso20k
    rotate-secrets`), in one transaction: a row no key reads raises UnreadableSecret and
    nothing is changed. Returns how many rows were re-encrypted."""
    with Session(engine) as session:
        rows = session.exec(select(SlackInstallation).with_for_update()).all()
        for row in rows:
            row.secrets = cipher.rotate(row.secrets)
            session.add(row)
        session.commit()
        return len(rows)


def _bot_of(row: SlackInstallation, secrets: dict[str, str]) -> Bot | None:
    if not secrets.get("bot_token"):
        return None
    return Bot(
        app_id=row.app_id,
        enterprise_id=row.enterprise_id,
        enterprise_name=row.enterprise_name,
        team_id=row.team_id,
        team_name=row.team_name,
        bot_token=secrets["bot_token"],
        bot_id=row.bot_id or "",
        bot_user_id=row.bot_user_id or "",
        bot_scopes=row.bot_scopes or "",
        bot_refresh_token=secrets.get("bot_refresh_token"),
        bot_token_expires_at=_epoch(row.bot_token_expires_at),
        is_enterprise_install=row.is_enterprise_install,
        installed_at=row.installed_at.timestamp(),
    )


def _row(session: Session, key: str) -> SlackInstallation | None:
    query = select(SlackInstallation).where(SlackInstallation.installation_key == key)
    return session.exec(query).first()


def _resume(session: Session, enterprise_id: str | None, team_id: str | None) -> None:
    """A reinstalled workspace's organisation is active again; an organisation-wide install
    resumes every workspace of its enterprise."""
    matches = col(Organisation.platform) == "slack"
    if team_id:
        where = col(Organisation.external_id) == tenant_key(enterprise_id, team_id)
    elif enterprise_id:
        where = col(Organisation.external_id).startswith(f"{enterprise_id}:")
    else:
        return
    session.execute(
        update(Organisation)
        .where(matches, where, col(Organisation.uninstalled_at).is_not(None))
        .values(uninstalled_at=None)
    )


def _moment(epoch: int | None) -> dt.datetime | None:
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC)


def _epoch(moment: dt.datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp())
