"""Operators' Termix API keys, encrypted with the secret box: kohub must send them back to
Termix, so a hash would not do."""

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from kohub_adapter.adapters.postgres.tables import terminal_credentials
from kohub_adapter.application.ports import CredentialInfo, CredentialUnreadable
from kohub_platform.secrets import SecretBox, SecretUnreadable


class SqlTerminalCredentialStore:
    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self._engine = engine
        self._box = box

    async def info(self, user_id: str) -> CredentialInfo | None:
        t = terminal_credentials
        stmt = select(t.c.key_hint, t.c.updated_at).where(t.c.user_id == user_id)
        async with self._engine.connect() as conn:
            row = (await conn.execute(stmt)).first()
        return CredentialInfo(row.key_hint, row.updated_at) if row else None

    async def api_key(self, user_id: str) -> str | None:
        t = terminal_credentials
        stmt = select(t.c.ciphertext).where(t.c.user_id == user_id)
        async with self._engine.connect() as conn:
            sealed = (await conn.execute(stmt)).scalar_one_or_none()
        if sealed is None:
            return None
        try:
            return self._box.open(bytes(sealed))
        except SecretUnreadable as exc:
            raise CredentialUnreadable(str(exc)) from exc

    async def put(self, user_id: str, api_key: str, info: CredentialInfo) -> None:
        values = {
            "ciphertext": self._box.seal(api_key),
            "key_hint": info.key_hint,
            "updated_at": info.updated_at,
        }
        stmt = insert(terminal_credentials).values(user_id=user_id, **values)
        stmt = stmt.on_conflict_do_update(index_elements=["user_id"], set_=values)
        async with self._engine.begin() as conn:
            await conn.execute(stmt)

    async def delete(self, user_id: str) -> None:
        t = terminal_credentials
        async with self._engine.begin() as conn:
            await conn.execute(delete(t).where(t.c.user_id == user_id))
