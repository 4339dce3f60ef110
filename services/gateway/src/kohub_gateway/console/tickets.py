"""Ticket pages: the list (filters, search, cursor pages), a ticket with its timeline and the
moves the API allows, and the request form. Every change is a POST form with the session's
CSRF token; ticket changes send `If-Match` with the version the page showed, so a ticket
changed meanwhile is refused (412) and shown again as it is now."""

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict

from kohub_contracts.common import Page
from kohub_contracts.enums import ActivityType, TicketPriority, TicketStatus
from kohub_contracts.hosts import OrganizationResponse
from kohub_contracts.tickets import Assignee, TicketDetailResponse, TicketListItem, TicketSort
from kohub_gateway.console.terminal_logs import terminal_section
from kohub_gateway.console.web import (
    PageError,
    ServiceProblem,
    View,
    field_text,
    notice_of,
    open_view,
    see_other,
    service_problem_page,
)

PAGE_SIZE = 50
TICKETS = "/api/v1/tickets"
NOTICES = frozenset(
    {
        "created", "moved", "assigned", "resolved", "commented", "completed", "reopened",
        "logs_stored", "logs_none", "logs_partial",
    }
)  # fmt: skip
# Problems about the operator's Termix key: the page links to where the key is registered.
KEY_PROBLEMS = frozenset({"terminal-credentials-missing", "terminal-credentials-rejected"})
OPEN_STATUSES = (
    TicketStatus.NEW,
    TicketStatus.RECEIVED,
    TicketStatus.ASSIGNED,
    TicketStatus.IN_PROGRESS,
    TicketStatus.PENDING,
    TicketStatus.REOPENED,
)
# Where an assignment is possible: RECEIVED → ASSIGNED, or a hand-over without a move.
ASSIGNABLE = frozenset(
    {TicketStatus.RECEIVED, TicketStatus.ASSIGNED, TicketStatus.IN_PROGRESS, TicketStatus.PENDING}
)
# Moves that need more than a click: an assignee (ASSIGNED) or a resolution (RESOLVED).
FORM_MOVES = frozenset({TicketStatus.ASSIGNED, TicketStatus.RESOLVED})
# Moves only MSP staff make: whoever made one on this ticket is an operator.
OPERATOR_MOVES = frozenset(
    {
        TicketStatus.RECEIVED.value,
        TicketStatus.ASSIGNED.value,
        TicketStatus.IN_PROGRESS.value,
        TicketStatus.PENDING.value,
        TicketStatus.RESOLVED.value,
        TicketStatus.CLOSED.value,
    }
)
SORTS = [s.value for s in TicketSort]


def ticket_id_of(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise PageError(404, "error_not_found") from None


@dataclass
class ListFilter:
    statuses: list[str]
    priorities: list[str]
    q: str
    sort: str
    cursor: str | None
    organization: str | None

    @classmethod
    def of(cls, request: Request[Any, Any, Any]) -> "ListFilter":
        query = request.query_params
        statuses = [s for s in query.getall("status", []) if s in TicketStatus.__members__]
        priorities = [p for p in query.getall("priority", []) if p in TicketPriority.__members__]
        sort = query.get("sort") or TicketSort.CREATED_DESC.value
        organization = query.get("organizationId") or None
        if organization:
            try:
                organization = str(UUID(organization))
            except ValueError:
                organization = None
        return cls(
            statuses=list(dict.fromkeys(statuses)),
            priorities=list(dict.fromkeys(priorities)),
            q=(query.get("q") or "").strip()[:200],
            sort=sort if sort in SORTS else TicketSort.CREATED_DESC.value,
            cursor=(query.get("cursor") or None) if len(query.get("cursor") or "") <= 500 else None,
            organization=organization,
        )

    def pairs(self, with_cursor: str | None = None) -> list[tuple[str, str]]:
        out = [("status", s) for s in self.statuses] + [("priority", p) for p in self.priorities]
        if self.q:
            out.append(("q", self.q))
        if self.organization:
            out.append(("organizationId", self.organization))
        if self.sort != TicketSort.CREATED_DESC.value:
            out.append(("sort", self.sort))
        if with_cursor:
            out.append(("cursor", with_cursor))
        return out

    def api_params(self) -> list[tuple[str, str | int]]:
        params: list[tuple[str, str | int]] = [*self.pairs(self.cursor)]
        params.append(("limit", PAGE_SIZE))
        if ("sort", self.sort) not in params:
            params.append(("sort", self.sort))
        return params

    @property
    def active(self) -> bool:
        return bool(self.statuses or self.priorities or self.q or self.organization)

    @property
    def only_open(self) -> bool:
        return sorted(self.statuses) == sorted(s.value for s in OPEN_STATUSES)


def list_href(flt: ListFilter, cursor: str | None = None) -> str:
    pairs = flt.pairs(cursor)
    return "/tickets" + (f"?{urlencode(pairs)}" if pairs else "")


async def organizations(view: View) -> list[OrganizationResponse] | None:
    """The organizations the session may see, or None when the host service does not say."""
    try:
        orgs = await view.get("/api/v1/organizations", list[OrganizationResponse])
    except ServiceProblem:
        return None
    return sorted(orgs, key=lambda o: (o.name or "").lower())


@dataclass(frozen=True, slots=True)
class Candidate:
    id: str
    name: str
    current: bool
    me: bool


async def assignee_candidates(view: View, ticket: TicketDetailResponse) -> list[Candidate]:
    """Operators to assign to: the ticket service's list of MSP staff (`me` marks the
    caller), the ticket's assignee included; when that list cannot be had, the people
    `known_operators` finds. An id can also be typed."""
    try:
        staff = await view.get(f"{TICKETS}/assignees", list[Assignee])
    except ServiceProblem:
        return await known_operators(view, ticket)
    current = str(ticket.assignee.id) if ticket.assignee else None
    candidates = [
        Candidate(str(p.id), p.name or p.email or str(p.id), str(p.id) == current, p.me)
        for p in staff
    ]
    if ticket.assignee is not None and current not in {c.id for c in candidates}:
        name = ticket.assignee.name or str(ticket.assignee.id)
        candidates.append(Candidate(str(ticket.assignee.id), name, True, False))
    return sorted(candidates, key=lambda c: (not c.me, c.name.lower()))


async def known_operators(view: View, ticket: TicketDetailResponse) -> list[Candidate]:
    """The fallback: the assignees of recent tickets (MSP staff by definition), the ticket's
    assignee and resolver, and whoever made an operator's move on this ticket; "me" is the
    one whose name is the session's (when exactly one is)."""
    people: dict[str, str] = {}
    try:
        page = await view.get(
            TICKETS, Page[TicketListItem], [("sort", "-updatedAt"), ("limit", 200)]
        )
        for item in page.items:
            if item.assignee is not None:
                people.setdefault(str(item.assignee.id), item.assignee.name or "")
    except ServiceProblem:
        pass
    for activity in ticket.activities:
        if activity.user is None:
            continue
        moved_by_staff = (
            activity.type is ActivityType.STATUS_CHANGE
            and activity.metadata.get("to") in OPERATOR_MOVES
        ) or activity.type in (ActivityType.ASSIGNMENT, ActivityType.TERMINAL_ACCESS)
        if moved_by_staff:
            people.setdefault(str(activity.user.id), activity.user.name or "")
    if ticket.resolution and ticket.resolution.resolved_by:
        by = ticket.resolution.resolved_by
        people.setdefault(str(by.id), by.name or "")
    if ticket.assignee is not None:
        people[str(ticket.assignee.id)] = ticket.assignee.name or people.get(
            str(ticket.assignee.id), ""
        )
    session = view.session
    own = {n for n in (session.name, session.username) if n} if session else set()
    mine = [uid for uid, name in people.items() if name and name in own]
    current = str(ticket.assignee.id) if ticket.assignee else None
    candidates = [
        Candidate(uid, name or uid, uid == current, len(mine) == 1 and uid == mine[0])
        for uid, name in people.items()
    ]
    return sorted(candidates, key=lambda c: (not c.me, c.name.lower()))


def simple_moves(view: View, ticket: TicketDetailResponse) -> list[str]:
    """The allowed moves a button makes (ASSIGNED and RESOLVED have their own forms)."""
    caps = view.caps
    moves = []
    for target in ticket.allowed_transitions:
        if target in FORM_MOVES:
            continue
        if target is TicketStatus.COMPLETED and not caps.complete:
            continue
        if target is TicketStatus.REOPENED and not caps.reopen:
            continue
        if target not in (TicketStatus.COMPLETED, TicketStatus.REOPENED) and not caps.operator:
            continue
        moves.append(target.value)
    return moves


def notice_counts(view: View) -> dict[str, int]:
    """The numbers a notice after a redirect may carry (`stored`, `skipped`, `unreadable`,
    `running`): digits only."""
    counts = {}
    for name in ("stored", "skipped", "unreadable", "running"):
        value = view.request.query_params.get(name) or "0"
        counts[name] = int(value) if value.isdigit() and len(value) <= 6 else 0
    return counts


async def detail_page(
    view: View,
    ticket_id: UUID,
    *,
    status: int = 200,
    error: str | None = None,
    error_detail: str | None = None,
    error_kind: str | None = None,
    values: dict[str, str] | None = None,
) -> Response[bytes]:
    ticket = await view.get(f"{TICKETS}/{ticket_id}", TicketDetailResponse)
    caps = view.caps
    can_assign = caps.operator and ticket.status in ASSIGNABLE
    candidates, terminal = await asyncio.gather(
        assignee_candidates(view, ticket) if can_assign else _empty(),
        terminal_section(view, ticket) if caps.operator else _none(),
    )
    return view.html(
        "ticket_detail.html",
        status,
        here=f"/tickets/{ticket_id}",
        section="tickets",
        ticket=ticket,
        moves=simple_moves(view, ticket),
        can_assign=can_assign,
        can_resolve=caps.operator and TicketStatus.RESOLVED in ticket.allowed_transitions,
        can_comment=caps.operator or caps.customer,
        candidates=candidates,
        notice=notice_of(view.request, NOTICES),
        notice_params=notice_counts(view),
        error=error,
        error_detail=error_detail,
        key_problem=error_kind in KEY_PROBLEMS,
        values=values or {},
        terminal=terminal,
    )


def version_of(form: FormMultiDict) -> int:
    value = field_text(form, "version")
    if not value.isdigit():
        raise PageError(400, "error_form_incomplete")
    return int(value)


async def act(
    view: View,
    ticket_id: UUID,
    method: str,
    path: str,
    body: Any,
    *,
    version: int | None,
    notice: str,
    values: dict[str, str],
) -> Response[Any]:
    """Make the change; on success back to the ticket (303), else the ticket as it is now
    with what went wrong and the form's text kept."""
    try:
        await view.send(method, f"{TICKETS}/{ticket_id}{path}", body, version)
    except ServiceProblem as exc:
        if exc.down or exc.status == 404:
            raise
        status, key, detail = service_problem_page(view, exc)
        return await detail_page(
            view, ticket_id, status=status, error=key, error_detail=detail, values=values
        )
    return see_other(f"/tickets/{ticket_id}?notice={notice}")


class TicketPages(Controller):
    path = "/tickets"
    include_in_schema = False
    tags: ClassVar[list[str]] = ["console"]

    @get("/", name="console:tickets")
    async def list_tickets(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        view = await open_view(request)
        flt = ListFilter.of(request)
        wants_orgs = view.caps.operator
        page, orgs = await asyncio.gather(
            view.get(TICKETS, Page[TicketListItem], flt.api_params()),
            organizations(view) if wants_orgs else _none(),
        )
        org_names = {str(o.id): o.name for o in orgs or []}
        return view.html(
            "tickets.html",
            section="tickets",
            page=page,
            flt=flt,
            statuses=[s.value for s in TicketStatus],
            priorities=[p.value for p in TicketPriority],
            sorts=SORTS,
            orgs=orgs,
            org_names=org_names,
            next_href=list_href(flt, page.next_cursor) if page.next_cursor else None,
            first_href=list_href(flt) if flt.cursor else None,
            open_href=list_href(
                ListFilter([s.value for s in OPEN_STATUSES], [], "", flt.sort, None, None)
            ),
        )

    @get("/new", name="console:ticket-form")
    async def new_ticket(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        view = await open_view(request)
        view.require(view.caps.create)
        return await self._form(view, {}, None, None)

    @post("/new", name="console:ticket-create")
    async def create_ticket(self, request: Request[Any, Any, Any]) -> Response[Any]:
        view = await open_view(request)
        form = await view.form()
        view.require(view.caps.create)
        values = {
            "title": field_text(form, "title"),
            "description": field_text(form, "description"),
            "priority": field_text(form, "priority") or TicketPriority.MEDIUM.value,
            "organizationId": field_text(form, "organizationId"),
        }
        if not values["title"]:
            return await self._form(view, values, "error_title_required", None, 422)
        if values["priority"] not in TicketPriority.__members__:
            values["priority"] = TicketPriority.MEDIUM.value
        body: dict[str, Any] = {
            "title": values["title"],
            "description": values["description"],
            "priority": values["priority"],
        }
        if view.caps.operator:
            if not values["organizationId"]:
                return await self._form(view, values, "error_organization_required", None, 422)
            body["organizationId"] = values["organizationId"]
        try:
            response = await view.send("POST", TICKETS, body)
        except ServiceProblem as exc:
            if exc.down:
                raise
            status, key, detail = service_problem_page(view, exc)
            return await self._form(view, values, key, detail, status)
        created = response.json()
        return see_other(f"/tickets/{created['id']}?notice=created")

    async def _form(
        self,
        view: View,
        values: dict[str, str],
        error: str | None,
        detail: str | None,
        status: int = 200,
    ) -> Response[bytes]:
        orgs = await organizations(view) if view.caps.operator else None
        return view.html(
            "ticket_new.html",
            status,
            here="/tickets/new",
            section="new",
            values=values,
            orgs=orgs,
            priorities=[p.value for p in TicketPriority],
            error=error,
            error_detail=detail,
        )

    @get("/{ticket_id:str}", name="console:ticket")
    async def ticket(self, request: Request[Any, Any, Any], ticket_id: str) -> Response[bytes]:
        view = await open_view(request)
        return await detail_page(view, ticket_id_of(ticket_id))

    @post("/{ticket_id:str}/move", name="console:ticket-move")
    async def move(self, request: Request[Any, Any, Any], ticket_id: str) -> Response[Any]:
        view = await open_view(request)
        form = await view.form()
        tid = ticket_id_of(ticket_id)
        target = field_text(form, "to")
        reason = field_text(form, "reason")
        if target not in TicketStatus.__members__ or target in FORM_MOVES:
            raise PageError(400, "error_form_incomplete")
        version = version_of(form)
        body: dict[str, Any] = {"reason": reason} if reason else {}
        if target == TicketStatus.COMPLETED.value:
            path, notice = "/complete", "completed"
        elif target == TicketStatus.REOPENED.value:
            path, notice = "/reopen", "reopened"
        else:
            path, notice = "/transition", "moved"
            body["toStatus"] = target
        return await act(
            view,
            tid,
            "POST",
            path,
            body,
            version=version,
            notice=notice,
            values={"reason": reason},
        )

    @post("/{ticket_id:str}/assign", name="console:ticket-assign")
    async def assign(self, request: Request[Any, Any, Any], ticket_id: str) -> Response[Any]:
        view = await open_view(request)
        form = await view.form()
        tid = ticket_id_of(ticket_id)
        view.require(view.caps.operator)
        typed = field_text(form, "assigneeOther")
        chosen = typed or field_text(form, "assigneeId")
        reason = field_text(form, "reason")
        values = {"assigneeId": field_text(form, "assigneeId"), "assigneeOther": typed}
        try:
            assignee = str(UUID(chosen))
        except ValueError:
            return await detail_page(
                view, tid, status=422, error="error_assignee_invalid", values=values
            )
        body: dict[str, Any] = {"assigneeId": assignee}
        if reason:
            body["reason"] = reason
        return await act(
            view,
            tid,
            "POST",
            "/assign",
            body,
            version=version_of(form),
            notice="assigned",
            values={**values, "assignReason": reason},
        )

    @post("/{ticket_id:str}/resolve", name="console:ticket-resolve")
    async def resolve(self, request: Request[Any, Any, Any], ticket_id: str) -> Response[Any]:
        view = await open_view(request)
        form = await view.form()
        tid = ticket_id_of(ticket_id)
        view.require(view.caps.operator)
        summary = field_text(form, "summary")
        action_taken = field_text(form, "actionTaken")
        values = {"summary": summary, "actionTaken": action_taken}
        if not summary:
            return await detail_page(
                view, tid, status=422, error="error_summary_required", values=values
            )
        body: dict[str, Any] = {"summary": summary}
        if action_taken:
            body["actionTaken"] = action_taken
        return await act(
            view,
            tid,
            "POST",
            "/resolve",
            body,
            version=version_of(form),
            notice="resolved",
            values=values,
        )

    @post("/{ticket_id:str}/comment", name="console:ticket-comment")
    async def comment(self, request: Request[Any, Any, Any], ticket_id: str) -> Response[Any]:
        view = await open_view(request)
        form = await view.form()
        tid = ticket_id_of(ticket_id)
        content = field_text(form, "content")
        if not content:
            return await detail_page(
                view, tid, status=422, error="error_comment_required", values={}
            )
        return await act(
            view,
            tid,
            "POST",
            "/comments",
            {"content": content},
            version=None,
            notice="commented",
            values={"content": content},
        )


async def _none() -> None:
    return None


async def _empty() -> list[Candidate]:
    return []
