"""What every controller of the adapter gateway shares."""

from typing import Any

from litestar import Request
from litestar.datastructures import State

from kohub_adapter.bootstrap import AdapterService
from kohub_platform.auth import Principal

Req = Request[Principal, Any, State]


def adapter_service(request: Request[Any, Any, State]) -> AdapterService:
    service: AdapterService = request.app.state.adapter_service
    return service
