"""Console login and logout: `/login` sends the browser to the identity provider with PKCE,
`/auth/callback` exchanges the code and starts a session, `/logout` (a form with its CSRF
token) ends it here and at the provider."""

from typing import Annotated, Any

import msgspec
from litestar import Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.params import Parameter
from litestar.response import Redirect

from kohub_gateway.adapters.http.oidc import LoginFailed, PendingLogin, new_login
from kohub_gateway.adapters.http.sessions import (
    CSRF_FIELD,
    SESSION_COOKIE,
    check_csrf,
    console_session,
)
from kohub_platform.errors import problem_response

LOGIN_COOKIE = "kohub_login"
CALLBACK_PATH = "/auth/callback"


def _service(request: Request[Any, Any, State]) -> Any:
    return request.app.state.gateway_service


def safe_next(value: str | None) -> str:
    """Only a path of this site: never an open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


def _cookie(request: Request[Any, Any, State], key: str, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=key,
        value=value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=_service(request).settings.environment != "development",
        path="/",
    )


@get("/login", include_in_schema=False)
async def login(request: Request[Any, Any, State], next: str | None = None) -> Response[Any]:
    service = _service(request)
    pending = new_login(safe_next(next))
    try:
        target = await service.oidc.authorization_url(pending, service.redirect_uri)
    except LoginFailed as exc:
        return problem_response(request, 502, "login-unavailable", str(exc))
    sealed = service.box.seal(msgspec.json.encode(pending).decode()).decode()
    return Redirect(target, cookies=[_cookie(request, LOGIN_COOKIE, sealed, 600)])


@get(CALLBACK_PATH, include_in_schema=False)
async def callback(
    request: Request[Any, Any, State],
    code: str | None = None,
    login_state: Annotated[str | None, Parameter(query="state")] = None,
    error: str | None = None,
) -> Response[Any]:
    service = _service(request)
    sealed = request.cookies.get(LOGIN_COOKIE)
    if error or not code or not login_state or not sealed:
        detail = f"The login did not complete ({error or 'no code'}); try again."
        return problem_response(request, 400, "login-failed", detail)
    try:
        pending = msgspec.json.decode(service.box.open(sealed.encode()), type=PendingLogin)
    except Exception:
        return problem_response(request, 400, "login-failed", "The login expired; try again.")
    if login_state != pending.state:
        return problem_response(request, 400, "login-failed", "The login does not match.")
    try:
        tokens = await service.oidc.exchange(code, pending, service.redirect_uri)
        cookie, _ = await service.sessions.start(tokens)
    except LoginFailed as exc:
        return problem_response(request, 502, "login-failed", str(exc))
    response = Redirect(
        pending.next_path,
        cookies=[_cookie(request, SESSION_COOKIE, cookie, 12 * 3600)],
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request[Any, Any, State]) -> Response[Any]:
    service = _service(request)
    session = await console_session(request)
    if session is not None:
        form = await request.form()
        check_csrf(session, form.get(CSRF_FIELD))
    id_token = await service.sessions.end(request)
    after = service.public_url + "/"
    target = await _end_session(service, id_token, after) or "/"
    response = Redirect(target, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def _end_session(service: Any, id_token: str | None, after: str) -> str | None:
    try:
        return await service.oidc.end_session_url(id_token, after)
    except LoginFailed:
        return None


LOGIN_HANDLERS = [login, callback, logout]
