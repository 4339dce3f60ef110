"""Host pages: the list and a host with its adapters, its status as monitoring last saw it
and, for operators, as its tools say now (fetched after the page, so the page never waits
on a slow tool), and its open tickets. customer-admin reads its organization's hosts."""

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get

from kohub_contracts.common import Page
from kohub_contracts.enums import HostStatus
from kohub_contracts.hosts import CurrentStatus, HostListItem, HostResponse, HostSort
from kohub_contracts.tickets import TicketListItem
from kohub_gateway.console.terminal_logs import has_terminal
from kohub_gateway.console.tickets import OPEN_STATUSES, TICKETS
from kohub_gateway.console.web import (
    PageError,
    ServiceProblem,
    View,
    is_htmx,
    open_view,
    see_other,
)

HOSTS = "/api/v1/hosts"
PAGE_SIZE = 50
SORTS = [s.value for s in HostSort]


def host_id_of(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise PageError(404, "error_not_found") from None


@dataclass
class HostFilter:
    q: str
    status: str | None
    sort: str
    cursor: str | None

    @classmethod
    def of(cls, request: Request[Any, Any, Any]) -> "HostFilter":
        query = request.query_params
        status = query.get("status")
        sort = query.get("sort") or HostSort.NAME_ASC.value
        cursor = query.get("cursor") or None
        return cls(
            q=(query.get("q") or "").strip()[:200],
            status=status if status in HostStatus.__members__ else None,
            sort=sort if sort in SORTS else HostSort.NAME_ASC.value,
            cursor=cursor if cursor and len(cursor) <= 500 else None,
        )

    def pairs(self, cursor: str | None = None) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        if self.status:
            out.append(("status", self.status))
        if self.sort != HostSort.NAME_ASC.value:
            out.append(("sort", self.sort))
        if cursor:
            out.append(("cursor", cursor))
        return out

    def href(self, cursor: str | None = None) -> str:
        pairs = self.pairs(cursor)
        return "/hosts" + (f"?{urlencode(pairs)}" if pairs else "")

    @property
    def active(self) -> bool:
        return bool(self.q or self.status)


async def live_status(view: View, host_id: UUID) -> CurrentStatus | None:
    """What the host's tools say now (operators only); None when they cannot tell."""
    try:
        return await view.get(f"{HOSTS}/{host_id}/status", CurrentStatus)
    except ServiceProblem:
        return None


async def open_tickets(view: View, host_id: UUID) -> Page[TicketListItem] | None:
    params: list[tuple[str, str | int]] = [("hostId", str(host_id)), ("limit", 20)]
    params += [("status", s.value) for s in OPEN_STATUSES]
    params.append(("sort", "-priority"))
    try:
        return await view.get(TICKETS, Page[TicketListItem], params)
    except ServiceProblem:
        return None


class HostPages(Controller):
    path = "/hosts"
    include_in_schema = False
    tags: ClassVar[list[str]] = ["console"]

    @get("/", name="console:hosts")
    async def list_hosts(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        view = await open_view(request)
        view.require(view.caps.hosts)
        flt = HostFilter.of(request)
        params: list[tuple[str, str | int]] = [*flt.pairs(flt.cursor), ("limit", PAGE_SIZE)]
        page = await view.get(HOSTS, Page[HostListItem], params)
        return view.html(
            "hosts.html",
            section="hosts",
            page=page,
            flt=flt,
            statuses=[s.value for s in HostStatus],
            sorts=SORTS,
            next_href=flt.href(page.next_cursor) if page.next_cursor else None,
            first_href=flt.href() if flt.cursor else None,
        )

    @get("/{host_id:str}", name="console:host")
    async def host(self, request: Request[Any, Any, Any], host_id: str) -> Response[bytes]:
        view = await open_view(request)
        view.require(view.caps.hosts)
        hid = host_id_of(host_id)
        ask_now = view.caps.operator and request.query_params.get("live") == "1"
        host, tickets, live = await asyncio.gather(
            view.get(f"{HOSTS}/{hid}", HostResponse),
            open_tickets(view, hid),
            live_status(view, hid) if ask_now else _nothing(),
        )
        return view.html(
            "host_detail.html",
            section="hosts",
            here=f"/hosts/{hid}",
            host=host,
            tickets=tickets,
            live=live,
            asked=ask_now,
            terminal=view.caps.operator and has_terminal(host),
        )

    @get("/{host_id:str}/live", name="console:host-live")
    async def live(self, request: Request[Any, Any, Any], host_id: str) -> Response[Any]:
        """The host's status as its tools say now: a fragment for htmx, else the page."""
        view = await open_view(request)
        view.require(view.caps.operator)
        hid = host_id_of(host_id)
        if not is_htmx(request):
            return see_other(f"/hosts/{hid}?live=1")
        return view.html(
            "_host_live.html", here=f"/hosts/{hid}", host_id=hid, live=await live_status(view, hid)
        )


async def _nothing() -> None:
    return None
