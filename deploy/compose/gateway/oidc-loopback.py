"""compose only: make the browser's issuer URL work inside the gateway container.

Keycloak's issuer is what the browser sees, `http://localhost:8080/realms/kecp-sso` (its
KC_HOSTNAME), and the gateway fetches `<issuer>/.well-known/openid-configuration` and posts to
the token endpoint listed there. Inside a container `localhost` is the container itself, so
this forwards 127.0.0.1:<the issuer's port> to Keycloak in the compose network (`keycloak:8080`,
the argument). It runs next to the gateway in its container (gateway-entrypoint.sh), listens on
the loopback only, and forwards bytes: the Host header stays `localhost:8080`, so Keycloak
answers with the same URLs the browser gets. Not used on Kubernetes, where the issuer is a
name that pods and browsers both resolve.

    python oidc-loopback.py keycloak:8080        # KOHUB_OIDC_ISSUER gives the listen port
"""

import asyncio
import os
import sys
from urllib.parse import urlsplit

LOOPBACK_HOSTS = {"localhost", "127.0.0.1"}


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
        if writer.can_write_eof():
            writer.write_eof()
    except OSError:
        pass


async def forward(
    target: tuple[str, int], client: asyncio.StreamReader, reply: asyncio.StreamWriter
) -> None:
    try:
        upstream, request = await asyncio.wait_for(asyncio.open_connection(*target), 10)
    except (OSError, TimeoutError) as exc:
        print(f"oidc-loopback: {target[0]}:{target[1]}: {exc}", file=sys.stderr, flush=True)
        reply.close()
        return
    try:
        await asyncio.gather(pipe(client, request), pipe(upstream, reply))
    finally:
        for writer in (request, reply):
            writer.close()


def listen_port(issuer: str) -> int | None:
    """The issuer's port when it names this host (a loopback name), else None."""
    parts = urlsplit(issuer)
    if parts.hostname not in LOOPBACK_HOSTS:
        return None
    return parts.port or (443 if parts.scheme == "https" else 80)


async def main(argv: list[str]) -> int:
    if len(argv) != 1 or ":" not in argv[0]:
        print("usage: oidc-loopback.py HOST:PORT (where Keycloak listens)", file=sys.stderr)
        return 2
    host, _, port = argv[0].rpartition(":")
    issuer = os.environ.get("KOHUB_OIDC_ISSUER", "")
    listen = listen_port(issuer)
    if listen is None:
        print(f"oidc-loopback: issuer {issuer!r} is not on localhost: nothing to do", flush=True)
        return 0
    server = await asyncio.start_server(
        lambda r, w: forward((host, int(port)), r, w), "127.0.0.1", listen
    )
    print(f"oidc-loopback: 127.0.0.1:{listen} -> {host}:{port}", flush=True)
    async with server:
        await server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
