"""A TCP relay between one service and RabbitMQ that the test can cut and restore: from the
service's side, the broker goes away (connections drop, new ones are refused) and comes
back, while the broker itself and the other services go on."""

import asyncio
import contextlib
from urllib.parse import urlsplit, urlunsplit


class AmqpProxy:
    def __init__(self, amqp_url: str) -> None:
        parts = urlsplit(amqp_url)
        self._upstream_url = parts
        self._upstream = (parts.hostname or "127.0.0.1", parts.port or 5672)
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.StreamWriter] = set()
        self.up = True
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    @property
    def url(self) -> str:
        """The broker URL a service behind the proxy uses (same credentials and vhost)."""
        parts = self._upstream_url
        netloc = f"{parts.username}:{parts.password}@127.0.0.1:{self.port}"
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    def cut(self) -> None:
        """The broker is gone: every open connection drops, new ones are refused."""
        self.up = False
        for writer in list(self._pipes):
            writer.transport.abort()
        self._pipes.clear()

    def restore(self) -> None:
        self.up = True

    async def close(self) -> None:
        self.cut()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.up:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
        except OSError:
            writer.transport.abort()
            return
        self._pipes |= {writer, up_writer}
        await asyncio.gather(
            self._pump(reader, up_writer), self._pump(up_reader, writer), return_exceptions=True
        )
        self._pipes -= {writer, up_writer}

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        finally:
            with contextlib.suppress(Exception):
                writer.transport.abort()
