"""Console sessions in the gateway's database. The cookie holds 256 random bits; the row is
keyed by their SHA-256 and keeps the tokens encrypted. An access token about to expire is
refreshed on use; a session past its absolute lifetime, or whose refresh is refused, is
gone."""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Request
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_gateway.adapters.http.oidc import OidcClient, Tokens
from kohub_gateway.adapters.http.sessions import SESSION_COOKIE, ConsoleSession
from kohub_gateway.adapters.postgres.tables import console_sessions as t
from kohub_platform.auth import Principal, TokenVerifier
from kohub_platform.secrets import SecretBox

SESSION_HOURS = 12
REFRESH_MARGIN = timedelta(seconds=60)


def _hash(cookie: str) -> str:
    return hashlib.sha256(cookie.encode()).hexdigest()


class SessionStore:
    def __init__(
        self, engine: AsyncEngine, box: SecretBox, oidc: OidcClient, verifier: TokenVerifier
    ) -> None:
        self._engine, self._box, self._oidc, self._verifier = engine, box, oidc, verifier

    async def start(self, tokens: Tokens) -> tuple[str, Principal]:
        """A new session for verified tokens; returns the cookie value and the user."""
        principal = await self._verifier.verify(tokens.access_token)
        cookie = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        async with self._engine.begin() as conn:
            await conn.execute(
                insert(t).values(
                    id_hash=_hash(cookie),
                    subject=principal.subject,
                    username=principal.username or principal.subject,
                    name=principal.name,
                    email=principal.email,
                    roles=sorted(principal.roles),
                    org_id=principal.org_uuid(),
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    expires_at=now + timedelta(hours=SESSION_HOURS),
                    **self._sealed(tokens, now),
                )
            )
        return cookie, principal

    async def current(self, request: Request[Any, Any, Any]) -> ConsoleSession | None:
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        key = _hash(cookie)
        async with self._engine.connect() as conn:
            row = (await conn.execute(select(t).where(t.c.id_hash == key))).first()
        now = datetime.now(UTC)
        if row is None or row.expires_at <= now:
            return None
        access = self._box.open(row.access_token.encode())
        if row.access_expires_at - REFRESH_MARGIN <= now:
            access = await self._refresh(key, row, now)
            if access is None:
                return None
        return ConsoleSession(
            session_id=key,
            subject=row.subject,
            username=row.username,
            name=row.name,
            email=row.email,
            roles=frozenset(row.roles),
            org_id=row.org_id,
            access_token=access,
            csrf_token=row.csrf_token,
            expires_at=row.expires_at,
        )

    async def end(self, request: Request[Any, Any, Any]) -> str | None:
        """Forget the session; returns its ID token (for the provider's logout)."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if not cookie:
            return None
        async with self._engine.begin() as conn:
            row = (
                await conn.execute(
                    delete(t).where(t.c.id_hash == _hash(cookie)).returning(t.c.id_token)
                )
            ).first()
        if row is None or row.id_token is None:
            return None
        return self._box.open(row.id_token.encode())

    async def prune(self) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(t).where(t.c.expires_at < datetime.now(UTC)))

    async def _refresh(self, key: str, row: Any, now: datetime) -> str | None:
        if row.refresh_token is None:
            return None
        try:
            tokens = await self._oidc.refresh(self._box.open(row.refresh_token.encode()))
            await self._verifier.verify(tokens.access_token)
        except Exception:  # refused, expired, unreachable, or not a token we accept
            async with self._engine.begin() as conn:
                await conn.execute(delete(t).where(t.c.id_hash == key))
            return None
        async with self._engine.begin() as conn:
            await conn.execute(
                update(t).where(t.c.id_hash == key).values(**self._sealed(tokens, now))
            )
        return tokens.access_token

    def _sealed(self, tokens: Tokens, now: datetime) -> dict[str, Any]:
        def seal(value: str | None) -> str | None:
            return self._box.seal(value).decode() if value else None

        return {
            "access_token": seal(tokens.access_token),
            "refresh_token": seal(tokens.refresh_token),
            "id_token": seal(tokens.id_token),
            "access_expires_at": now + timedelta(seconds=tokens.expires_in),
        }
