"""The ticket service's settings: the shared names of ARCHITECTURE.md."""

import os
from datetime import timedelta

from kohub_platform.settings import ServiceSettings
from kohub_ticket.domain.alerts import AlertPolicy

SERVICE_NAME = "ticket"


def load_settings() -> ServiceSettings:
    return ServiceSettings.from_env(SERVICE_NAME)


def alert_policy() -> AlertPolicy:
    """`KOHUB_ALERT_REOPEN_MINUTES` (30): a firing alert reopens its ticket resolved less than
    this long ago. `KOHUB_ALERT_CLOSE_ON_RECOVERY` (true): a recovery closes a ticket still NEW.
    """
    minutes = float(os.environ.get("KOHUB_ALERT_REOPEN_MINUTES", "30") or 30)
    close = os.environ.get("KOHUB_ALERT_CLOSE_ON_RECOVERY", "true").strip().lower()
    return AlertPolicy(
        reopen_window=timedelta(minutes=minutes),
        close_untouched_on_recovery=close not in ("0", "false", "no", "off"),
    )
