"""Errors of the application layer: what the caller may not do or asked for wrongly."""


class ApplicationError(Exception):
    pass


class TicketNotFound(ApplicationError):
    def __init__(self) -> None:
        super().__init__("No such ticket.")


class NotAllowed(ApplicationError):
    """The caller's roles do not allow this action (403)."""


class StaleVersion(ApplicationError):
    def __init__(self, current: int) -> None:
        super().__init__("The ticket was changed since it was read; fetch it again.")
        self.current = current


class InvalidRequest(ApplicationError):
    """The request names something that does not fit (422)."""
