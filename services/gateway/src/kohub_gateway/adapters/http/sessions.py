"""Console sessions: who is logged in to the web console, with the tokens the console
calls the services with. A session is a row of the gateway's database, found by the hash
of an opaque cookie (HttpOnly, SameSite=Lax, Secure outside development); its access
token is refreshed before it expires and dropped at logout."""

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import httpx
from litestar import Request

from kohub_contracts.enums import Role

SESSION_COOKIE = "kohub_session"
LANGUAGE_COOKIE = "kohub_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass
class ConsoleSession:
    session_id: str
    """The hash of the cookie value (the value itself is never stored)."""
    subject: str
    username: str
    name: str | None
    email: str | None
    roles: frozenset[str]
    org_id: UUID | None
    access_token: str
    csrf_token: str
    expires_at: datetime

    @property
    def is_operator(self) -> bool:
        return bool(self.roles & {Role.MSP_OPERATOR.value, Role.MSP_ADMIN.value})

    @property
    def is_customer(self) -> bool:
        return not self.is_operator and bool(
            self.roles & {Role.CUSTOMER.value, Role.CUSTOMER_ADMIN.value}
        )


async def console_session(request: Request[Any, Any, Any]) -> ConsoleSession | None:
    """The caller's session, or None when not logged in (or expired)."""
    store = request.app.state.gateway_service.sessions
    return await store.current(request)


async def call(
    request: Request[Any, Any, Any],
    session: ConsoleSession,
    method: str,
    path: str,
    *,
    params: Any = None,
    json: Any = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """Call the owning service of `path` (`/api/v1/...`) as the session's user, with the
    console's language; the answer is the service's (status, problem+json on errors)."""
    service = request.app.state.gateway_service
    return await service.console_api(request, session, method, path, params, json, headers)


def check_csrf(session: ConsoleSession, token: str | None) -> None:
    """Raise `CsrfRefused` (403) unless `token` is the session's CSRF token."""
    if not token or not hmac.compare_digest(token, session.csrf_token):
        raise CsrfRefused("The form is out of date or was not sent by the console; reload it.")


class CsrfRefused(Exception):
    pass
