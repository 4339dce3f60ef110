"""The vocabulary of SPEC.md: every enum a kohub service or KustHub may see on the wire."""

from enum import Enum


class TicketStatus(str, Enum):
    NEW = "NEW"
    RECEIVED = "RECEIVED"
    ASSIGNED = "ASSIGNED"
    IN_PROGRESS = "IN_PROGRESS"
    PENDING = "PENDING"
    RESOLVED = "RESOLVED"
    COMPLETED = "COMPLETED"
    CLOSED = "CLOSED"
    REOPENED = "REOPENED"


class TicketPriority(str, Enum):
    CRITICAL = "CRITICAL"
    HIGH = "HIGH"
    MEDIUM = "MEDIUM"
    LOW = "LOW"


class TicketSource(str, Enum):
    MANUAL = "MANUAL"
    UPTIME_KUMA = "UPTIME_KUMA"
    PROMETHEUS = "PROMETHEUS"
    GRAFANA = "GRAFANA"
    CUSTOMER_REQUEST = "CUSTOMER_REQUEST"


class ActivityType(str, Enum):
    STATUS_CHANGE = "STATUS_CHANGE"
    COMMENT = "COMMENT"
    ASSIGNMENT = "ASSIGNMENT"
    TERMINAL_ACCESS = "TERMINAL_ACCESS"
    ALERT = "ALERT"
    """A monitoring alert on the ticket: a repeat, a recovery, a reopen or a close."""


class SyncStatus(str, Enum):
    NONE = "NONE"
    PENDING = "PENDING"
    SYNCED = "SYNCED"
    FAILED = "FAILED"


class HostStatus(str, Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"
    MAINTENANCE = "MAINTENANCE"


class ConnectionType(str, Enum):
    SSH = "SSH"
    HTTPS = "HTTPS"
    AGENT = "AGENT"


class HostAdapterStatus(str, Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class ObservedHostStatus(str, Enum):
    UP = "UP"
    DOWN = "DOWN"
    PENDING = "PENDING"
    MAINTENANCE = "MAINTENANCE"
    UNKNOWN = "UNKNOWN"


class AdapterType(str, Enum):
    UPTIME_KUMA = "uptime-kuma"
    PROMETHEUS = "prometheus"
    GRAFANA = "grafana"
    TERMIX = "termix"


class AdapterEventStatus(str, Enum):
    PENDING = "PENDING"
    PROCESSED = "PROCESSED"
    IGNORED = "IGNORED"
    FAILED = "FAILED"


class UserStatus(str, Enum):
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class RoleScope(str, Enum):
    GLOBAL = "GLOBAL"
    ORG = "ORG"


class Role(str, Enum):
    """Realm roles of `kecp-sso` that kohub reads from `realm_access.roles`."""

    MSP_ADMIN = "msp-admin"
    MSP_OPERATOR = "msp-operator"
    CUSTOMER_ADMIN = "customer-admin"
    CUSTOMER = "customer"
    INTEGRATION = "kohub-integration"


class SyncDirection(str, Enum):
    OUTBOUND = "OUTBOUND"
    INBOUND = "INBOUND"


class SyncEventStatus(str, Enum):
    """A ticket_sync_events row (seed §4.4). Outbound: PENDING → SENT on the broker's
    confirm → ACKNOWLEDGED when KustHub's answer refers to it, FAILED past the retry budget
    (still retried). Inbound: PENDING → ACKNOWLEDGED when applied, FAILED with the reason,
    IGNORED when it asks for nothing (requiresOperationalTicket false)."""

    PENDING = "PENDING"
    SENT = "SENT"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    FAILED = "FAILED"
    IGNORED = "IGNORED"


class AlertState(str, Enum):
    FIRING = "FIRING"
    RESOLVED = "RESOLVED"


class AlertOutcome(str, Enum):
    """What the ticket service did with one normalized alert."""

    CREATED = "CREATED"
    """A new ticket was opened."""
    DEDUPLICATED = "DEDUPLICATED"
    """An open ticket of the same fingerprint took it as a repeat."""
    REOPENED = "REOPENED"
    """The fingerprint's recently resolved ticket was reopened."""
    RECOVERED = "RECOVERED"
    """The recovery was recorded on the open ticket, which stays with its operator."""
    CLOSED = "CLOSED"
    """The recovery closed a ticket nobody had touched yet."""
    SUPPRESSED = "SUPPRESSED"
    """The host is in maintenance: no ticket."""
    DUPLICATE = "DUPLICATE"
    """The same source event was seen before: nothing changed."""
    IGNORED = "IGNORED"
    """Nothing to do (a recovery without an open ticket, a notice)."""
