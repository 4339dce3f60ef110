"""The web console of issue 6, server-rendered by the gateway: dashboard, tickets, hosts, and
(issue 7) operators' terminal work, in Korean (default) and English. `console_routes()` is
the one thing to register."""

from kohub_gateway.console.backend import ConsoleBackend, SessionBackend
from kohub_gateway.console.routes import console_routes

__all__ = ["ConsoleBackend", "SessionBackend", "console_routes"]
