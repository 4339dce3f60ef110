"""Exchange names shared by every service and by KustHub (ARCHITECTURE.md, Messaging)."""

KOHUB_EVENTS_EXCHANGE = "kohub.events"
KUSTHUB_EVENTS_EXCHANGE = "kusthub.events"
DEAD_LETTER_EXCHANGE = "kohub.dlx"
