"""The host service's settings: the shared names of ARCHITECTURE.md."""

from kohub_platform.settings import ServiceSettings

SERVICE_NAME = "host"


def load_settings() -> ServiceSettings:
    return ServiceSettings.from_env(SERVICE_NAME)
