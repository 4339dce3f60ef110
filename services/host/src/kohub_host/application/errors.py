"""Errors of the host application layer."""


class ApplicationError(Exception):
    pass


class NotFound(ApplicationError):
    def __init__(self, what: str = "host") -> None:
        super().__init__(f"No such {what}.")


class NotAllowed(ApplicationError):
    """403."""


class Conflict(ApplicationError):
    """409: the change clashes with another host or adapter."""


class StaleVersion(ApplicationError):
    def __init__(self, current: int) -> None:
        super().__init__("The host was changed since it was read; fetch it again.")
        self.current = current


class InvalidRequest(ApplicationError):
    """422 naming a field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
