"""Durations on the wire are ISO-8601 (`PT1H15M`), as seed §4.2's `downtime`."""

from datetime import timedelta


def iso_duration(delta: timedelta) -> str:
    """ISO-8601 duration such as `PT1H15M` (seconds kept when not whole minutes)."""
    seconds = max(0, int(delta.total_seconds()))
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    out = "P" + (f"{days}D" if days else "")
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    time += f"{seconds}S" if seconds or not (days or hours or minutes) else ""
    return out + ("T" + time if time else "")
