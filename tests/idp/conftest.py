"""Fixtures of the identity provider tests (helpers in idptools.py)."""

import secrets
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from idptools import Idp

# The provider under test runs with its own kusthub secret, so the tests also show that
# KOHUB_IDP_KUSTHUB_SECRET replaces the development default.
KUSTHUB_TEST_SECRET = secrets.token_urlsafe(24)


@pytest_asyncio.fixture(scope="session")
async def idp(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Idp]:
    """One provider for the session, on a free port, with a signing key of its own."""
    folder = tmp_path_factory.mktemp("idp")
    server = Idp(
        key_file=folder / "run" / "idp-signing-key.json",
        log=folder / "idp.log",
        env={"KOHUB_IDP_KUSTHUB_SECRET": KUSTHUB_TEST_SECRET},
    )
    await server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    """A fresh cookie jar, redirects followed by hand (as the tests inspect each one)."""
    async with httpx.AsyncClient(follow_redirects=False, timeout=10) as client:
        yield client
