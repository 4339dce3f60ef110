"""The integration service's settings: the shared names of ARCHITECTURE.md plus its own."""

import os
from dataclasses import dataclass

from kohub_platform.settings import ServiceSettings

SERVICE_NAME = "integration"


@dataclass(frozen=True, slots=True)
class BridgeSettings:
    retry_budget: int = 8
    """Failed publish attempts after which a sync event (and its ticket) is FAILED
    (`KOHUB_SYNC_RETRY_BUDGET`; about two minutes of backoff). The outbox keeps retrying
    every minute after that: FAILED is an alarm, the event is not dropped."""

    @classmethod
    def from_env(cls) -> "BridgeSettings":
        return cls(retry_budget=int(os.environ.get("KOHUB_SYNC_RETRY_BUDGET", "8")))


def load_settings() -> ServiceSettings:
    return ServiceSettings.from_env(SERVICE_NAME)
