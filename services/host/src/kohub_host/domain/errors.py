"""Errors of the host domain."""


class InvalidHost(Exception):
    """A value the inventory rules refuse; `field` names it in the caller's terms."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
