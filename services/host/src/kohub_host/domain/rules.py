"""The inventory's validation rules. kohub stores no credentials: an SSH configuration says
where and as whom to connect, never with what secret."""

from typing import Any

from kohub_contracts.enums import AdapterType, ConnectionType
from kohub_host.domain.errors import InvalidHost

SECRET_KEYS = (
    "password",
    "passphrase",
    "private_key",
    "privatekey",
    "key",
    "secret",
    "token",
    "identity",
    "credential",
)
SSH_KEYS = {"host", "port", "username"}


def normalize_tags(tags: list[str]) -> list[str]:
    """Trimmed, lower-case, unique, in first-seen order."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = tag.strip().lower()
        if not cleaned:
            raise InvalidHost("tags", "A tag cannot be empty.")
        seen.setdefault(cleaned, None)
    return list(seen)


def validate_ssh_config(
    connection_type: ConnectionType, config: dict[str, Any] | None
) -> dict[str, Any] | None:
    if config is not None:
        secrets = [k for k in config if any(s in k.lower().replace("-", "_") for s in SECRET_KEYS)]
        if secrets:
            raise InvalidHost(
                "sshConfig",
                f"kohub stores no credentials; remove {', '.join(sorted(secrets))}.",
            )
        unknown = set(config) - SSH_KEYS
        if unknown:
            raise InvalidHost("sshConfig", f"Unknown fields: {', '.join(sorted(unknown))}.")
    if connection_type is not ConnectionType.SSH:
        return config or None
    if not config:
        raise InvalidHost("sshConfig", "SSH hosts need sshConfig (host, port, username).")
    host, port, username = config.get("host"), config.get("port", 22), config.get("username")
    if not isinstance(host, str) or not host.strip() or len(host) > 255:
        raise InvalidHost("sshConfig.host", "sshConfig.host must be a host name or address.")
    if not isinstance(port, int) or isinstance(port, bool) or not 1 <= port <= 65535:
        raise InvalidHost("sshConfig.port", "sshConfig.port must be between 1 and 65535.")
    if not isinstance(username, str) or not username.strip() or len(username) > 64:
        raise InvalidHost("sshConfig.username", "sshConfig.username is required.")
    return {"host": host.strip(), "port": port, "username": username.strip()}


def validate_adapter_config(adapter_type: AdapterType, config: dict[str, Any]) -> dict[str, Any]:
    """Per type: what identifies the monitored thing at the tool."""

    def text(key: str, max_len: int = 200) -> str:
        value = config.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip() or len(value) > max_len:
            raise InvalidHost(f"config.{key}", f"{adapter_type.value} needs config.{key}.")
        return value.strip()

    if adapter_type is AdapterType.UPTIME_KUMA:
        _only(config, {"sourceId", "monitorId"}, adapter_type)
        return {"sourceId": text("sourceId"), "monitorId": text("monitorId")}
    if adapter_type in (AdapterType.PROMETHEUS, AdapterType.GRAFANA):
        allowed = {"sourceId", "matchers"}
        if adapter_type is AdapterType.PROMETHEUS:
            allowed.add("url")  # the Prometheus to ask for status (else the gateway's default)
        _only(config, allowed, adapter_type)
        matchers = config.get("matchers")
        if (
            not isinstance(matchers, dict)
            or not matchers
            or len(matchers) > 10
            or not all(
                isinstance(k, str)
                and 0 < len(k) <= 100
                and isinstance(v, str)
                and 0 < len(v) <= 200
                for k, v in matchers.items()
            )
        ):
            raise InvalidHost(
                "config.matchers",
                "config.matchers must map label names to values, e.g. "
                '{"instance": "10.0.0.1:9100"}.',
            )
        result: dict[str, Any] = {"matchers": dict(sorted(matchers.items()))}
        if "sourceId" in config:
            result["sourceId"] = text("sourceId")
        if "url" in config:
            url = text("url", 500)
            if not url.startswith(("http://", "https://")):
                raise InvalidHost("config.url", "config.url must be an http(s) URL.")
            result["url"] = url.rstrip("/")
        return result
    # termix: where its web app is, the host's id in it, and (when Termix's API is not
    # served under the web app's URL) where its backend is
    _only(config, {"baseUrl", "hostId", "apiUrl"}, adapter_type)
    result = {"hostId": text("hostId")}
    for name in ("baseUrl", "apiUrl"):
        if name == "baseUrl" or name in config:
            url = text(name, 500)
            if not url.startswith(("http://", "https://")):
                raise InvalidHost(f"config.{name}", f"config.{name} must be an http(s) URL.")
            result[name] = url.rstrip("/")
    return result


def _label(value: Any, max_len: int) -> bool:
    return isinstance(value, str) and 0 < len(value) <= max_len


def mapping_key(adapter_type: AdapterType, config: dict[str, Any]) -> str | None:
    """What one monitored thing is: one monitor (or label set) maps to one host."""
    if adapter_type is AdapterType.UPTIME_KUMA:
        return f"uptime-kuma:{config['sourceId']}:{config['monitorId']}"
    if adapter_type in (AdapterType.PROMETHEUS, AdapterType.GRAFANA):
        labels = ",".join(f"{k}={v}" for k, v in sorted(config["matchers"].items()))
        return f"{adapter_type.value}:{config.get('sourceId', '*')}:{labels}"
    return f"termix:{config['baseUrl']}:{config['hostId']}"


def _only(config: dict[str, Any], allowed: set[str], adapter_type: AdapterType) -> None:
    unknown = set(config) - allowed
    if unknown:
        raise InvalidHost(
            "config",
            f"{adapter_type.value} config has unknown fields: {', '.join(sorted(unknown))}.",
        )
