"""Timeline sentences in Korean and English, rendered when read (so each reader gets their
language) from the structured metadata an activity stores."""

from typing import Any

from kohub_contracts.enums import ActivityType

_TEXTS: dict[str, dict[str, str]] = {
    "ko": {
        "status": "상태 변경: {from} → {to}",
        "status_reason": "상태 변경: {from} → {to} ({reason})",
        "assign": "담당자 배정: {assignee}",
        "reassign": "담당자 변경: {previous} → {assignee}",
        "terminal": "터미널 세션 기록: {sessionId} (명령 {lines}개)",
        "terminal_redacted": "터미널 세션 기록: {sessionId} "
        "(명령 {lines}개, 비밀 {redactions}건 가림)",
        "terminal_opened": "터미널 접속: {host}",
        "unknown_user": "알 수 없는 사용자",
        "alert_fired": "경보 발생: {fingerprint}",
        "alert_repeated": "같은 경보 반복 {count}회 (마지막 {lastSeenAt})",
        "alert_reopened": "경보 재발생으로 다시 열림: {fingerprint}",
        "alert_recovered": "모니터링 복구 확인 (장애 시간 {downtime})",
    },
    "en": {
        "status": "Status changed: {from} → {to}",
        "status_reason": "Status changed: {from} → {to} ({reason})",
        "assign": "Assigned to {assignee}",
        "reassign": "Reassigned from {previous} to {assignee}",
        "terminal": "Terminal session recorded: {sessionId} ({lines} commands)",
        "terminal_redacted": "Terminal session recorded: {sessionId} ({lines} commands, "
        "{redactions} secrets redacted)",
        "terminal_opened": "Opened a terminal on {host}",
        "unknown_user": "unknown user",
        "alert_fired": "Alert fired: {fingerprint}",
        "alert_repeated": "The same alert repeated {count} times (last {lastSeenAt})",
        "alert_reopened": "Reopened: the alert fired again ({fingerprint})",
        "alert_recovered": "Monitoring reports recovery (downtime {downtime})",
    },
}


# The statuses as a person reads them (the codes stay in the metadata).
_STATUS_NAMES: dict[str, dict[str, str]] = {
    "ko": {
        "NEW": "신규", "RECEIVED": "접수", "ASSIGNED": "배정", "IN_PROGRESS": "처리 중",
        "PENDING": "보류", "RESOLVED": "해결", "COMPLETED": "완료", "CLOSED": "종료",
        "REOPENED": "재개",
    },
    "en": {
        "NEW": "New", "RECEIVED": "Received", "ASSIGNED": "Assigned",
        "IN_PROGRESS": "In progress", "PENDING": "Pending", "RESOLVED": "Resolved",
        "COMPLETED": "Completed", "CLOSED": "Closed", "REOPENED": "Reopened",
    },
}  # fmt: skip


def pick_locale(accept_language: str | None, default: str) -> str:
    """The first of ko/en named in Accept-Language, else the service default."""
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("ko"):
            return "ko"
        if tag.startswith("en"):
            return "en"
    return default


def describe(
    kind: ActivityType,
    content: str,
    metadata: dict[str, Any],
    names: dict[str, str | None],
    locale: str,
) -> str:
    t = _TEXTS.get(locale, _TEXTS["ko"])

    def name(user_id: str | None) -> str:
        return (names.get(user_id) if user_id else None) or t["unknown_user"]

    if kind is ActivityType.STATUS_CHANGE:
        template = "status_reason" if metadata.get("reason") else "status"
        statuses = _STATUS_NAMES.get(locale, _STATUS_NAMES["ko"])
        moved = {k: statuses.get(str(metadata.get(k)), metadata.get(k)) for k in ("from", "to")}
        return t[template].format_map({**metadata, **moved})
    if kind is ActivityType.ASSIGNMENT:
        previous = metadata.get("previousAssigneeId")
        template = "reassign" if previous else "assign"
        return t[template].format(
            assignee=name(metadata.get("assigneeId")), previous=name(previous)
        )
    if kind is ActivityType.TERMINAL_ACCESS:
        if metadata.get("opened"):
            return t["terminal_opened"].format(
                host=metadata.get("hostName") or metadata.get("hostId", "?")
            )
        template = "terminal_redacted" if metadata.get("redactions") else "terminal"
        return t[template].format(
            sessionId=metadata.get("sessionId", "?"),
            lines=metadata.get("lines", 0),
            redactions=metadata.get("redactions", 0),
        )
    if kind is ActivityType.ALERT:
        template = t.get(f"alert_{metadata.get('kind')}")
        if template:
            return template.format_map({"downtime": "?", **metadata})
    return content
