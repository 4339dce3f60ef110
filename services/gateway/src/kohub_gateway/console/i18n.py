"""The console's words in Korean (the default) and English, and how numbers, times and
durations read in each. Texts that come from the services (timeline sentences, problem
details) arrive already in the reader's language or as the service wrote them."""

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

DEFAULT_LANGUAGE = "ko"
LANGUAGES = ("ko", "en")

_STATUS = {
    "ko": {
        "NEW": "신규",
        "RECEIVED": "접수",
        "ASSIGNED": "배정",
        "IN_PROGRESS": "처리 중",
        "PENDING": "보류",
        "RESOLVED": "해결",
        "COMPLETED": "완료",
        "CLOSED": "종료",
        "REOPENED": "재오픈",
    },
    "en": {
        "NEW": "New",
        "RECEIVED": "Received",
        "ASSIGNED": "Assigned",
        "IN_PROGRESS": "In progress",
        "PENDING": "Pending",
        "RESOLVED": "Resolved",
        "COMPLETED": "Completed",
        "CLOSED": "Closed",
        "REOPENED": "Reopened",
    },
}
_MOVE = {
    "ko": {
        "NEW": "신규로",
        "RECEIVED": "접수",
        "ASSIGNED": "배정",
        "IN_PROGRESS": "처리 시작",
        "PENDING": "보류",
        "RESOLVED": "해결",
        "COMPLETED": "해결 확인(완료)",
        "CLOSED": "종료",
        "REOPENED": "재오픈",
    },
    "en": {
        "NEW": "Back to new",
        "RECEIVED": "Receive",
        "ASSIGNED": "Assign",
        "IN_PROGRESS": "Start work",
        "PENDING": "Put on hold",
        "RESOLVED": "Resolve",
        "COMPLETED": "Confirm it is fixed",
        "CLOSED": "Close",
        "REOPENED": "Reopen",
    },
}
_PRIORITY = {
    "ko": {"CRITICAL": "긴급", "HIGH": "높음", "MEDIUM": "보통", "LOW": "낮음"},
    "en": {"CRITICAL": "Critical", "HIGH": "High", "MEDIUM": "Medium", "LOW": "Low"},
}
_OBSERVED = {
    "ko": {
        "UP": "정상",
        "DOWN": "장애",
        "PENDING": "확인 중",
        "MAINTENANCE": "점검",
        "UNKNOWN": "알 수 없음",
    },
    "en": {
        "UP": "Up",
        "DOWN": "Down",
        "PENDING": "Pending",
        "MAINTENANCE": "Maintenance",
        "UNKNOWN": "Unknown",
    },
}
_LIFECYCLE = {
    "ko": {"ACTIVE": "운영 중", "INACTIVE": "비활성", "MAINTENANCE": "점검 중"},
    "en": {"ACTIVE": "Active", "INACTIVE": "Inactive", "MAINTENANCE": "Maintenance"},
}
_SYNC = {
    "ko": {
        "NONE": "연동 없음",
        "PENDING": "전송 대기",
        "SYNCED": "동기화됨",
        "FAILED": "전송 실패",
    },
    "en": {"NONE": "Not linked", "PENDING": "Sending", "SYNCED": "Synced", "FAILED": "Failed"},
}
_SOURCE = {
    "ko": {
        "MANUAL": "직접 등록",
        "UPTIME_KUMA": "Uptime Kuma",
        "PROMETHEUS": "Prometheus",
        "GRAFANA": "Grafana",
        "CUSTOMER_REQUEST": "고객 요청",
    },
    "en": {
        "MANUAL": "Manual",
        "UPTIME_KUMA": "Uptime Kuma",
        "PROMETHEUS": "Prometheus",
        "GRAFANA": "Grafana",
        "CUSTOMER_REQUEST": "Customer request",
    },
}
_ACTIVITY = {
    "ko": {
        "STATUS_CHANGE": "상태",
        "COMMENT": "댓글",
        "ASSIGNMENT": "배정",
        "TERMINAL_ACCESS": "터미널",
        "ALERT": "경보",
    },
    "en": {
        "STATUS_CHANGE": "Status",
        "COMMENT": "Comment",
        "ASSIGNMENT": "Assignment",
        "TERMINAL_ACCESS": "Terminal",
        "ALERT": "Alert",
    },
}
_ALERT_STATE = {
    "ko": {"FIRING": "발생", "RESOLVED": "복구"},
    "en": {"FIRING": "Firing", "RESOLVED": "Recovered"},
}
_OUTCOME = {
    "ko": {
        "CREATED": "티켓 생성",
        "DEDUPLICATED": "기존 티켓에 합침",
        "REOPENED": "티켓 재오픈",
        "RECOVERED": "복구 기록",
        "CLOSED": "티켓 종료",
        "SUPPRESSED": "점검 중이라 무시",
        "DUPLICATE": "중복 수신",
        "IGNORED": "처리할 것 없음",
    },
    "en": {
        "CREATED": "Ticket opened",
        "DEDUPLICATED": "Added to open ticket",
        "REOPENED": "Ticket reopened",
        "RECOVERED": "Recovery recorded",
        "CLOSED": "Ticket closed",
        "SUPPRESSED": "Suppressed (maintenance)",
        "DUPLICATE": "Duplicate",
        "IGNORED": "Nothing to do",
    },
}
_ADAPTER_STATUS = {
    "ko": {"ACTIVE": "사용", "INACTIVE": "사용 안 함"},
    "en": {"ACTIVE": "Active", "INACTIVE": "Inactive"},
}
_LOG_SOURCE = {
    "ko": {"TERMIX": "Termix", "UPLOAD": "파일 업로드", "MANUAL": "API 등록"},
    "en": {"TERMIX": "Termix", "UPLOAD": "Upload", "MANUAL": "API"},
}
_ROLE = {
    "ko": {
        "msp-admin": "MSP 관리자",
        "msp-operator": "운영자",
        "customer-admin": "고객 관리자",
        "customer": "고객",
    },
    "en": {
        "msp-admin": "MSP admin",
        "msp-operator": "Operator",
        "customer-admin": "Customer admin",
        "customer": "Customer",
    },
}
_TICKET_SORT = {
    "ko": {
        "-createdAt": "최근 생성순",
        "createdAt": "오래된 순",
        "-updatedAt": "최근 변경순",
        "updatedAt": "변경 오래된 순",
        "-priority": "우선순위 높은 순",
        "priority": "우선순위 낮은 순",
    },
    "en": {
        "-createdAt": "Newest first",
        "createdAt": "Oldest first",
        "-updatedAt": "Recently changed",
        "updatedAt": "Least recently changed",
        "-priority": "Most urgent first",
        "priority": "Least urgent first",
    },
}
_HOST_SORT = {
    "ko": {
        "name": "이름순",
        "-name": "이름 역순",
        "-updatedAt": "최근 변경순",
        "updatedAt": "변경 오래된 순",
    },
    "en": {
        "name": "Name A–Z",
        "-name": "Name Z–A",
        "-updatedAt": "Recently changed",
        "updatedAt": "Least recently changed",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "ko": {
        "brand_sub": "운영 허브",
        "skip_to_content": "본문으로 건너뛰기",
        "nav_label": "주 메뉴",
        "nav_dashboard": "대시보드",
        "nav_tickets": "티켓",
        "nav_hosts": "호스트",
        "nav_new_ticket": "새 티켓",
        "nav_new_request": "새 요청",
        "logout": "로그아웃",
        "footer_times": "시간은 {zone} 기준입니다.",
        "breadcrumb_label": "위치",
        "filter_label": "티켓 필터",
        "pager_label": "페이지 이동",
        "unknown_user": "알 수 없는 사용자",
        "system_user": "시스템",
        "nobody": "없음",
        "me": "나",
        "ticket": "티켓",
        "all": "전체",
        "choose": "선택하세요",
        "required": "필수",
        "cancel": "취소",
        "apply": "적용",
        "search": "검색",
        "sort": "정렬",
        "reload": "새로 고침해서 최신 내용 보기",
        "try_again": "다시 시도",
        "back_to_dashboard": "대시보드로",
        # dashboard
        "dashboard_title": "대시보드",
        "dash_updated": "{time} 기준",
        "dash_auto_refresh": "{seconds}초마다 자동으로 새로 고칩니다",
        "dash_missing_title": "일부 정보를 가져오지 못했습니다. 나머지는 최신입니다.",
        "dash_part_unavailable": "지금은 이 정보를 가져올 수 없습니다.",
        "dash_tickets": "티켓",
        "dash_hosts": "호스트",
        "dash_open": "미해결 티켓",
        "dash_open_critical": "긴급 {count}건",
        "dash_today": "오늘",
        "dash_period": "최근 {days}일",
        "dash_opened_resolved": "생성 / 해결",
        "dash_mtta_note": "평균 접수 시간 (최근 {days}일)",
        "dash_mttr_note": "평균 해결 시간 (최근 {days}일)",
        "mtta_long": "생성부터 접수까지 걸린 평균 시간",
        "mttr_long": "생성부터 해결까지 걸린 평균 시간",
        "dash_hosts_total": "전체 {count}대",
        "dash_hosts_maintenance": "점검 중 {count}대",
        "dash_recent_alerts": "최근 경보",
        "dash_recent_tickets": "최근 티켓",
        "dash_no_alerts": "최근 경보가 없습니다.",
        "dash_no_tickets": "아직 티켓이 없습니다.",
        "chart_open_by_priority": "우선순위별 미해결 티켓",
        "chart_by_status": "상태별 티켓",
        "chart_hosts_observed": "모니터링 상태별 호스트",
        "part_tickets": "티켓 수치",
        "part_hosts": "호스트 수치",
        "part_alerts": "최근 경보",
        "part_recent": "최근 티켓",
        "part_summary": "요약",
        "part_recent-alerts": "최근 경보",
        "part_recent-tickets": "최근 티켓",
        "missing_timeout": "담당 서비스가 제때 응답하지 않았습니다",
        "missing_unreachable": "담당 서비스에 연결할 수 없습니다",
        "missing_status": "담당 서비스가 오류로 응답했습니다 ({status})",
        "missing_other": "응답을 읽을 수 없습니다",
        "outcome_pending": "처리 대기",
        # tables
        "col_key": "번호",
        "col_title": "제목",
        "col_status": "상태",
        "col_priority": "우선순위",
        "col_host": "호스트",
        "col_organization": "고객사",
        "col_assignee": "담당자",
        "col_reporter": "요청자",
        "col_source": "출처",
        "col_sync": "KustHub 연동",
        "col_created": "생성",
        "col_updated": "변경",
        "col_received": "수신",
        "col_alert": "경보",
        "col_outcome": "결과",
        "col_session": "세션",
        "col_user": "사용자",
        "col_started": "시작",
        "col_ended": "종료",
        "col_name": "이름",
        "col_monitoring": "모니터링",
        "col_lifecycle": "운영 상태",
        "col_adapters": "어댑터",
        "col_tags": "태그",
        "col_checked": "마지막 확인",
        "col_connection": "접속 방식",
        "col_type": "종류",
        "col_state": "상태",
        "col_config": "설정",
        "col_last_sync": "마지막 동기화",
        # ticket list
        "tickets_title": "티켓",
        "search_placeholder": "제목, 설명, 번호로 검색",
        "only_open": "미해결만 보기",
        "clear_filters": "필터 지우기",
        "tickets_count": "{count}건",
        "tickets_none": "아직 티켓이 없습니다.",
        "tickets_none_match": "조건에 맞는 티켓이 없습니다.",
        "first_page": "처음으로",
        "next_page": "다음 페이지",
        # ticket
        "field_title": "제목",
        "field_description": "설명",
        "field_summary": "해결 요약",
        "field_action_taken": "조치 내용",
        "description_help": "증상, 발생 시각, 영향 범위를 적어 주시면 빨리 처리할 수 있습니다.",
        "no_description": "설명이 없습니다.",
        "resolution": "해결 내용",
        "timeline": "처리 이력",
        "timeline_empty": "아직 이력이 없습니다.",
        "add_comment": "댓글 쓰기",
        "send_comment": "댓글 등록",
        "terminal_logs": "터미널 세션 기록",
        "terminal_logs_empty": "기록된 터미널 세션이 없습니다.",
        "terminal_log": "터미널 세션 기록",
        "terminal_log_empty": "명령 기록이 비어 있습니다.",
        "actions": "작업",
        "no_actions": "지금 이 티켓에 할 수 있는 작업이 없습니다.",
        "reason_optional": "사유 (선택)",
        "assign_title": "담당자 배정",
        "handover_title": "담당자 변경",
        "assignee": "담당자",
        "assignee_other": "또는 사용자 ID 직접 입력",
        "assignee_help": "목록에 없는 운영자는 kohub 사용자 ID(UUID)로 배정할 수 있습니다.",
        "current_assignee": "현재 담당",
        "assign": "배정",
        "resolve_title": "해결 처리",
        "resolve": "해결로 변경",
        # new ticket
        "new_ticket_title": "새 티켓",
        "new_request_title": "새 요청",
        "new_request_lead": (
            "요청을 남겨 주시면 운영팀이 접수하여 처리 상황을 이곳에서 알려 드립니다."
        ),
        "orgs_unavailable": "고객사 목록을 불러오지 못했습니다. 고객사 ID(UUID)를 직접 입력하세요.",
        "orgs_none": "등록된 고객사가 없습니다. 고객사 ID(UUID)를 직접 입력하세요.",
        "create_ticket": "티켓 만들기",
        "send_request": "요청 보내기",
        # notices after a change
        "notice.created": "티켓을 만들었습니다.",
        "notice.moved": "상태를 변경했습니다.",
        "notice.assigned": "담당자를 배정했습니다.",
        "notice.resolved": "해결로 처리했습니다.",
        "notice.commented": "댓글을 등록했습니다.",
        "notice.completed": "해결을 확인했습니다. 감사합니다.",
        "notice.reopened": "티켓을 다시 열었습니다.",
        # hosts
        "hosts_title": "호스트",
        "hosts_read_only": "소속 고객사의 호스트를 볼 수 있습니다 (읽기 전용).",
        "host_search_placeholder": "이름, 설명으로 검색",
        "hosts_count": "{count}대",
        "hosts_none": "등록된 호스트가 없습니다.",
        "hosts_none_match": "조건에 맞는 호스트가 없습니다.",
        "adapters_none": "연결된 어댑터가 없습니다.",
        "maintenance_until": "점검 종료 예정",
        "host_open_tickets": "이 호스트의 미해결 티켓",
        "host_no_open_tickets": "미해결 티켓이 없습니다.",
        "current_status": "현재 상태",
        "last_observed": "모니터링 마지막 확인: {time}",
        "live_title": "도구에 지금 확인",
        "live_loading": "확인 중…",
        "live_checked": "{time} 확인",
        "live_unavailable": (
            "도구에서 지금 상태를 알 수 없습니다. 위의 마지막 확인 상태를 참고하세요."
        ),
        "live_check_again": "지금 다시 확인",
        # errors
        "error_title": "문제가 생겼습니다",
        "error_code": "상태 코드 {status}",
        "request_id": "요청 ID",
        "error_service_down": "{service}에 지금 연결할 수 없습니다",
        "error_service_down_help": "잠시 후 다시 시도해 주세요. 다른 화면은 계속 쓸 수 있습니다.",
        "error_not_found": "찾을 수 없습니다",
        "error_not_found_help": "없는 항목이거나 볼 수 있는 권한이 없습니다.",
        "error_forbidden": "권한이 없습니다",
        "error_forbidden_help": "지금 역할로는 이 화면이나 작업을 사용할 수 없습니다.",
        "error_csrf": "양식이 만료되었습니다",
        "error_csrf_help": (
            "페이지를 새로 고친 뒤 다시 보내 주세요. (보안 토큰이 없거나 맞지 않습니다.)"
        ),
        "error_stale": "그사이 다른 사람이 이 티켓을 변경했습니다",
        "error_stale_help": "아래는 지금의 티켓입니다. 내용을 확인한 뒤 다시 시도해 주세요.",
        "error_refused": "요청을 처리할 수 없습니다",
        "error_refused_help": "아래 사유를 확인해 주세요.",
        "error_unexpected_answer": "서비스가 예상하지 못한 응답을 보냈습니다",
        "error_unexpected_answer_help": (
            "잠시 후 다시 시도해 주세요. 계속되면 요청 ID와 함께 알려 주세요."
        ),
        "error_bad_request": "잘못된 요청입니다",
        "error_bad_request_help": "주소나 입력값을 확인해 주세요.",
        "error_method": "이 주소는 그렇게 사용할 수 없습니다",
        "error_method_help": "화면의 링크와 버튼을 이용해 주세요.",
        "error_internal": "콘솔에서 오류가 발생했습니다",
        "error_internal_help": "잠시 후 다시 시도해 주세요. 계속되면 요청 ID와 함께 알려 주세요.",
        "error_form_incomplete": "양식이 완전하지 않습니다",
        "error_form_incomplete_help": "페이지를 새로 고친 뒤 다시 시도해 주세요.",
        "error_title_required": "제목을 입력해 주세요",
        "error_organization_required": "고객사를 선택해 주세요",
        "error_summary_required": "해결 요약을 입력해 주세요",
        "error_comment_required": "댓글 내용을 입력해 주세요",
        "error_assignee_invalid": "담당자를 선택하거나 올바른 사용자 ID(UUID)를 입력해 주세요",
        # terminal work (issue 7)
        "terminal_key_link": "터미널 키",
        "open_terminal": "터미널 열기",
        "open_terminal_on": "{host} 터미널 열기",
        "open_terminal_help": (
            "터미널에서 작업한 뒤 아래 'Termix에서 가져오기'로 세션 기록을 이 티켓에 남기세요."
        ),
        "col_commands": "명령",
        "col_redactions": "가린 비밀 값",
        "col_offset": "시점",
        "col_command": "명령",
        "log_redactions": "{count}개 가림",
        "collect_title": "Termix에서 가져오기",
        "collect_help": "내가 이 호스트에서 한 Termix 세션의 녹화를 가져와 이 티켓에 붙입니다.",
        "collect_since": "시작 (선택)",
        "collect_until": "끝 (선택)",
        "collect_window_help": (
            "비워 두면 이 티켓에서 마지막으로 터미널을 연 때부터 지금까지입니다. "
            "시간은 {zone} 기준입니다."
        ),
        "collect": "가져오기",
        "collect_no_host": "이 티켓의 호스트에는 Termix 터미널이 없어 가져올 수 없습니다.",
        "upload_title": "녹화 파일 올리기",
        "upload_file": "asciinema 녹화 파일 (.cast)",
        "upload_help": "asciicast v2 형식입니다. 비밀 값은 저장하기 전에 가려집니다.",
        "upload_host": "호스트 (선택)",
        "upload_host_none": "지정 안 함",
        "upload": "올리기",
        "register_key_link": "설정에서 내 Termix API 키 등록하기",
        "terminal_page": "터미널",
        "terminal_title": "{host} 터미널",
        "terminal_new_tab": "새 탭에서 열기",
        "terminal_frame_title": "{host}의 Termix 터미널",
        "terminal_opened": "{time}에 열었습니다.",
        "terminal_recorded": "이 티켓에 터미널 접속이 기록되었습니다.",
        "terminal_after_ticket": (
            "작업을 마친 뒤 티켓의 'Termix에서 가져오기'로 이 세션의 녹화를 티켓에 남기세요."
        ),
        "terminal_after_host": "녹화를 티켓에 남기려면 그 티켓 화면에서 터미널을 여세요.",
        "terminal_keys_help": (
            "터미널에 포커스가 있으면 모든 키를 터미널이 받습니다. "
            "위의 링크로 새 탭에서 열 수도 있습니다."
        ),
        "back_to_ticket": "티켓으로 돌아가기",
        "back_to_host": "호스트로 돌아가기",
        "log_replay": "재생",
        "log_commands": "명령 기록",
        "player_needs_js": (
            "재생하려면 JavaScript가 필요합니다. 아래 명령 기록은 그대로 볼 수 있습니다."
        ),
        "player_unavailable": "재생기를 불러올 수 없습니다. 아래 명령 기록을 보세요.",
        "cast_not_kept": "녹화가 너무 커서 보관하지 않았습니다. 명령 기록만 볼 수 있습니다.",
        "commands_from_input": "키 입력에서 복원한 명령입니다.",
        "commands_from_output": "화면의 프롬프트 줄에서 읽은 명령입니다.",
        "commands_none": "기록된 명령이 없습니다.",
        "play_from": "{time}부터 재생",
        # settings
        "settings_title": "설정",
        "terminal_key_title": "Termix API 키",
        "terminal_key_lead": (
            "Termix에서 세션 녹화를 가져올 때 이 키로 내 기록을 읽습니다. "
            "키는 암호화되어 저장되며 다시 보여 주지 않습니다."
        ),
        "key_configured": "등록된 키: {hint}",
        "key_updated": "{time} 변경",
        "key_not_configured": (
            "등록된 키가 없습니다. 키를 등록해야 Termix에서 녹화를 가져올 수 있습니다."
        ),
        "key_field": "새 API 키",
        "key_help": (
            "Termix에서 만든 API 키입니다 (tmx_로 시작). 입력한 키는 화면에 다시 표시되지 않습니다."
        ),
        "key_save": "등록",
        "key_replace": "새 키로 바꾸기",
        "key_delete": "키 삭제",
        "key_delete_help": "삭제하면 Termix에서 녹화를 가져올 수 없습니다.",
        "notice.key_saved": "Termix API 키를 등록했습니다.",
        "notice.key_deleted": "Termix API 키를 삭제했습니다.",
        "notice.logs_stored": (
            "세션 기록 {stored}건을 저장했습니다. 이미 있던 {skipped}건은 건너뛰었습니다."
        ),
        "notice.logs_none": (
            "가져올 녹화가 없습니다. 그 시간에 이 호스트에서 한 Termix 세션이 없습니다."
        ),
        "notice.logs_partial": (
            "세션 기록 {stored}건을 저장했습니다. 아직 끝나지 않은 세션 {running}건은 끝난 뒤 "
            "다시 가져오세요. 읽을 수 없는 녹화 {unreadable}건은 제외했습니다."
        ),
        "error_termix_key_missing": "내 Termix API 키가 등록되어 있지 않습니다",
        "error_termix_key_rejected": "Termix가 등록된 API 키를 받아들이지 않습니다",
        "error_no_terminal_adapter": "이 호스트에는 Termix 터미널이 연결되어 있지 않습니다",
        "error_no_terminal_window": (
            "이 티켓에서 연 터미널이 없어 시간 범위를 알 수 없습니다. 시작 시각을 지정해 주세요"
        ),
        "error_termix_down": "Termix에 지금 연결할 수 없습니다",
        "error_invalid_cast": "올바른 asciinema 녹화 파일이 아닙니다",
        "error_host_not_mapped": (
            "어댑터 게이트웨이가 아직 이 호스트를 모릅니다. 잠시 후 다시 시도하세요"
        ),
        "error_recordings_too_large": "녹화가 너무 큽니다. 기간을 좁혀 다시 가져오세요",
        "error_termix_not_allowed": "이 호스트의 Termix는 허용된 Termix 서버가 아닙니다",
        "error_cast_required": "올릴 녹화 파일(.cast)을 선택해 주세요",
        "error_time_invalid": "시각을 읽을 수 없습니다",
        "error_time_order": "끝 시각은 시작 시각보다 뒤여야 합니다",
        "error_too_large": "너무 큽니다",
        "error_too_large_help": "더 작은 파일로 다시 시도해 주세요.",
        "error_key_required": "API 키를 입력해 주세요",
        "error_key_format": "Termix API 키는 tmx_로 시작합니다",
        "keys_label": "단축키:",
        "keys_search": "/ 검색",
        "keys_dashboard": "g d 대시보드",
        "keys_tickets": "g t 티켓",
        "keys_hosts": "g h 호스트",
        "keys_new_ticket": "n 새 티켓",
        "keys_new_request": "n 새 요청",
        "service.ticket": "티켓 서비스",
        "service.host": "호스트 서비스",
        "service.adapter": "어댑터 게이트웨이",
        "service.integration": "연동 서비스",
        "service.gateway": "게이트웨이",
    },
    "en": {
        "brand_sub": "operations hub",
        "skip_to_content": "Skip to content",
        "nav_label": "Main menu",
        "nav_dashboard": "Dashboard",
        "nav_tickets": "Tickets",
        "nav_hosts": "Hosts",
        "nav_new_ticket": "New ticket",
        "nav_new_request": "New request",
        "logout": "Log out",
        "footer_times": "Times are in {zone}.",
        "breadcrumb_label": "You are here",
        "filter_label": "Ticket filters",
        "pager_label": "Pages",
        "unknown_user": "unknown user",
        "system_user": "System",
        "nobody": "nobody",
        "me": "me",
        "ticket": "Ticket",
        "all": "All",
        "choose": "Choose…",
        "required": "required",
        "cancel": "Cancel",
        "apply": "Apply",
        "search": "Search",
        "sort": "Sort",
        "reload": "Reload to see the latest",
        "try_again": "Try again",
        "back_to_dashboard": "Back to the dashboard",
        # dashboard
        "dashboard_title": "Dashboard",
        "dash_updated": "As of {time}",
        "dash_auto_refresh": "refreshes every {seconds} s",
        "dash_missing_title": "Some parts could not be fetched; the rest is current.",
        "dash_part_unavailable": "This part is not available right now.",
        "dash_tickets": "Tickets",
        "dash_hosts": "Hosts",
        "dash_open": "Open tickets",
        "dash_open_critical": "{count} critical",
        "dash_today": "Today",
        "dash_period": "Last {days} days",
        "dash_opened_resolved": "opened / resolved",
        "dash_mtta_note": "mean time to acknowledge ({days} days)",
        "dash_mttr_note": "mean time to resolve ({days} days)",
        "mtta_long": "Mean time from opened to received",
        "mttr_long": "Mean time from opened to resolved",
        "dash_hosts_total": "{count} hosts in all",
        "dash_hosts_maintenance": "{count} in maintenance",
        "dash_recent_alerts": "Recent alerts",
        "dash_recent_tickets": "Recent tickets",
        "dash_no_alerts": "No recent alerts.",
        "dash_no_tickets": "No tickets yet.",
        "chart_open_by_priority": "Open tickets by priority",
        "chart_by_status": "Tickets by status",
        "chart_hosts_observed": "Hosts by monitoring status",
        "part_tickets": "Ticket figures",
        "part_hosts": "Host figures",
        "part_alerts": "Recent alerts",
        "part_recent": "Recent tickets",
        "part_summary": "Summary",
        "part_recent-alerts": "Recent alerts",
        "part_recent-tickets": "Recent tickets",
        "missing_timeout": "its service did not answer in time",
        "missing_unreachable": "its service cannot be reached",
        "missing_status": "its service answered with an error ({status})",
        "missing_other": "its answer could not be read",
        "outcome_pending": "waiting",
        # tables
        "col_key": "Key",
        "col_title": "Title",
        "col_status": "Status",
        "col_priority": "Priority",
        "col_host": "Host",
        "col_organization": "Organization",
        "col_assignee": "Assignee",
        "col_reporter": "Reporter",
        "col_source": "Source",
        "col_sync": "KustHub sync",
        "col_created": "Created",
        "col_updated": "Updated",
        "col_received": "Received",
        "col_alert": "Alert",
        "col_outcome": "Outcome",
        "col_session": "Session",
        "col_user": "User",
        "col_started": "Started",
        "col_ended": "Ended",
        "col_name": "Name",
        "col_monitoring": "Monitoring",
        "col_lifecycle": "Lifecycle",
        "col_adapters": "Adapters",
        "col_tags": "Tags",
        "col_checked": "Last checked",
        "col_connection": "Connection",
        "col_type": "Type",
        "col_state": "State",
        "col_config": "Configuration",
        "col_last_sync": "Last sync",
        # ticket list
        "tickets_title": "Tickets",
        "search_placeholder": "Search title, description, key",
        "only_open": "Open only",
        "clear_filters": "Clear filters",
        "tickets_count": "{count} tickets",
        "tickets_none": "No tickets yet.",
        "tickets_none_match": "No tickets match these filters.",
        "first_page": "First page",
        "next_page": "Next page",
        # ticket
        "field_title": "Title",
        "field_description": "Description",
        "field_summary": "Resolution summary",
        "field_action_taken": "Action taken",
        "description_help": "What you see, since when, and who is affected helps us act fast.",
        "no_description": "No description.",
        "resolution": "Resolution",
        "timeline": "Timeline",
        "timeline_empty": "Nothing has happened yet.",
        "add_comment": "Add a comment",
        "send_comment": "Comment",
        "terminal_logs": "Terminal sessions",
        "terminal_logs_empty": "No terminal sessions recorded.",
        "terminal_log": "Terminal session",
        "terminal_log_empty": "The command log is empty.",
        "actions": "Actions",
        "no_actions": "There is nothing you can do to this ticket now.",
        "reason_optional": "Reason (optional)",
        "assign_title": "Assign",
        "handover_title": "Hand over",
        "assignee": "Assignee",
        "assignee_other": "or type a user id",
        "assignee_help": "An operator not in the list can be assigned by kohub user id (UUID).",
        "current_assignee": "current",
        "assign": "Assign",
        "resolve_title": "Resolve",
        "resolve": "Mark resolved",
        # new ticket
        "new_ticket_title": "New ticket",
        "new_request_title": "New request",
        "new_request_lead": (
            "Tell us what you need; the operations team takes it from here and keeps you "
            "posted on this page."
        ),
        "orgs_unavailable": (
            "The organizations could not be loaded; type the organization id (UUID)."
        ),
        "orgs_none": "No organizations yet; type the organization id (UUID).",
        "create_ticket": "Create ticket",
        "send_request": "Send request",
        # notices after a change
        "notice.created": "Ticket created.",
        "notice.moved": "Status changed.",
        "notice.assigned": "Assigned.",
        "notice.resolved": "Marked resolved.",
        "notice.commented": "Comment added.",
        "notice.completed": "Confirmed as fixed. Thank you.",
        "notice.reopened": "Ticket reopened.",
        # hosts
        "hosts_title": "Hosts",
        "hosts_read_only": "Your organization's hosts (read only).",
        "host_search_placeholder": "Search name, description",
        "hosts_count": "{count} hosts",
        "hosts_none": "No hosts registered.",
        "hosts_none_match": "No hosts match these filters.",
        "adapters_none": "No adapters attached.",
        "maintenance_until": "Maintenance until",
        "host_open_tickets": "Open tickets on this host",
        "host_no_open_tickets": "No open tickets.",
        "current_status": "Current status",
        "last_observed": "Last seen by monitoring: {time}",
        "live_title": "Ask its tools now",
        "live_loading": "Checking…",
        "live_checked": "checked {time}",
        "live_unavailable": "Its tools cannot tell right now; see the last observed status above.",
        "live_check_again": "Check again now",
        # errors
        "error_title": "Something went wrong",
        "error_code": "Status {status}",
        "request_id": "Request id",
        "error_service_down": "The {service} cannot be reached right now",
        "error_service_down_help": "Try again in a moment. The rest of the console keeps working.",
        "error_not_found": "Not found",
        "error_not_found_help": "It does not exist, or it is not visible to you.",
        "error_forbidden": "Not allowed",
        "error_forbidden_help": "Your role does not give access to this page or action.",
        "error_csrf": "This form has expired",
        "error_csrf_help": (
            "Reload the page and send it again. (Its security token was missing or wrong.)"
        ),
        "error_stale": "Someone changed this ticket meanwhile",
        "error_stale_help": "This is the ticket as it is now. Check it, then try again.",
        "error_refused": "This could not be done",
        "error_refused_help": "See the reason below.",
        "error_unexpected_answer": "A service gave an unexpected answer",
        "error_unexpected_answer_help": (
            "Try again in a moment; if it persists, report it with the request id."
        ),
        "error_bad_request": "Bad request",
        "error_bad_request_help": "Check the address or the values given.",
        "error_method": "This address cannot be used that way",
        "error_method_help": "Use the links and buttons of the console.",
        "error_internal": "The console ran into an error",
        "error_internal_help": (
            "Try again in a moment; if it persists, report it with the request id."
        ),
        "error_form_incomplete": "The form is incomplete",
        "error_form_incomplete_help": "Reload the page and try again.",
        "error_title_required": "Give the ticket a title",
        "error_organization_required": "Choose an organization",
        "error_summary_required": "Write a resolution summary",
        "error_comment_required": "Write something to comment",
        "error_assignee_invalid": "Choose an assignee or type a valid user id (UUID)",
        # terminal work (issue 7)
        "terminal_key_link": "Termix key",
        "open_terminal": "Open terminal",
        "open_terminal_on": "Open terminal on {host}",
        "open_terminal_help": (
            "After working in the terminal, attach its recording to this ticket with "
            "“Collect from Termix” below."
        ),
        "col_commands": "Commands",
        "col_redactions": "Secrets",
        "col_offset": "At",
        "col_command": "Command",
        "log_redactions": "{count} secrets redacted",
        "collect_title": "Collect from Termix",
        "collect_help": (
            "Attaches the recordings of your Termix sessions on the host to this ticket."
        ),
        "collect_since": "From (optional)",
        "collect_until": "Until (optional)",
        "collect_window_help": (
            "Empty: from when you last opened the terminal from this ticket until now. "
            "Times are in {zone}."
        ),
        "collect": "Collect",
        "collect_no_host": "This ticket's host has no Termix terminal to collect from.",
        "upload_title": "Upload a recording",
        "upload_file": "asciinema recording (.cast)",
        "upload_help": "asciicast v2. Secrets are redacted before it is stored.",
        "upload_host": "Host (optional)",
        "upload_host_none": "Not given",
        "upload": "Upload",
        "register_key_link": "Register your Termix API key in the settings",
        "terminal_page": "Terminal",
        "terminal_title": "Terminal: {host}",
        "terminal_new_tab": "Open in a new tab",
        "terminal_frame_title": "Termix terminal of {host}",
        "terminal_opened": "Opened at {time}.",
        "terminal_recorded": "The opening is recorded on the ticket.",
        "terminal_after_ticket": (
            "When you are done, attach this session's recording to the ticket with "
            "“Collect from Termix”."
        ),
        "terminal_after_host": (
            "To keep the recording on a ticket, open the terminal from that ticket."
        ),
        "terminal_keys_help": (
            "While it has the focus, the terminal takes every key; the link above opens it "
            "in its own tab."
        ),
        "back_to_ticket": "Back to the ticket",
        "back_to_host": "Back to the host",
        "log_replay": "Replay",
        "log_commands": "Commands",
        "player_needs_js": "Replaying needs JavaScript; the commands are listed below.",
        "player_unavailable": "The player cannot be loaded; the commands are listed below.",
        "cast_not_kept": "The recording was too large to keep; only its commands are shown.",
        "commands_from_input": "Commands replayed from the keystrokes.",
        "commands_from_output": "Commands read off the shell's prompt lines.",
        "commands_none": "No commands were recorded.",
        "play_from": "Play from {time}",
        # settings
        "settings_title": "Settings",
        "terminal_key_title": "Termix API key",
        "terminal_key_lead": (
            "Collecting recordings from Termix reads your sessions with this key. It is "
            "stored encrypted and never shown again."
        ),
        "key_configured": "Registered key: {hint}",
        "key_updated": "changed {time}",
        "key_not_configured": (
            "No key registered. Recordings can be collected from Termix once you register one."
        ),
        "key_field": "New API key",
        "key_help": "An API key made in Termix (starts with tmx_). It is not shown back.",
        "key_save": "Register",
        "key_replace": "Replace the key",
        "key_delete": "Delete the key",
        "key_delete_help": "Without a key, recordings cannot be collected from Termix.",
        "notice.key_saved": "Your Termix API key is registered.",
        "notice.key_deleted": "Your Termix API key is deleted.",
        "notice.logs_stored": (
            "Stored {stored} recording(s); skipped {skipped} already on the ticket."
        ),
        "notice.logs_none": (
            "Nothing to collect: no Termix session of yours on this host in that window."
        ),
        "notice.logs_partial": (
            "Stored {stored} recording(s). {running} session(s) have not ended yet: collect "
            "again once they have. {unreadable} unreadable recording(s) left out."
        ),
        "error_termix_key_missing": "Your Termix API key is not registered",
        "error_termix_key_rejected": "Termix does not accept your registered API key",
        "error_no_terminal_adapter": "This host has no Termix terminal",
        "error_no_terminal_window": (
            "No terminal was opened from this ticket, so the time window is unknown: give a "
            "start time"
        ),
        "error_termix_down": "Termix cannot be reached right now",
        "error_invalid_cast": "This is not a valid asciinema recording",
        "error_host_not_mapped": (
            "The adapter gateway does not know this host yet; try again shortly"
        ),
        "error_recordings_too_large": "The recordings are too large; collect a shorter period",
        "error_termix_not_allowed": "This host's Termix is not an allowed Termix server",
        "error_cast_required": "Choose a recording (.cast) to upload",
        "error_time_invalid": "A time could not be read",
        "error_time_order": "“Until” must be later than “from”",
        "error_too_large": "Too large",
        "error_too_large_help": "Try again with a smaller file.",
        "error_key_required": "Enter the API key",
        "error_key_format": "A Termix API key starts with tmx_",
        "keys_label": "Keys:",
        "keys_search": "/ search",
        "keys_dashboard": "g d dashboard",
        "keys_tickets": "g t tickets",
        "keys_hosts": "g h hosts",
        "keys_new_ticket": "n new ticket",
        "keys_new_request": "n new request",
        "service.ticket": "ticket service",
        "service.host": "host service",
        "service.adapter": "adapter gateway",
        "service.integration": "integration service",
        "service.gateway": "gateway",
    },
}

# Families of words, reachable as "<family>.<VALUE>" too (e.g. t("status.NEW")).
FAMILIES: dict[str, dict[str, dict[str, str]]] = {
    "status": _STATUS,
    "move": _MOVE,
    "priority": _PRIORITY,
    "observed": _OBSERVED,
    "lifecycle": _LIFECYCLE,
    "sync": _SYNC,
    "source": _SOURCE,
    "activity": _ACTIVITY,
    "alert": _ALERT_STATE,
    "outcome": _OUTCOME,
    "adapter": _ADAPTER_STATUS,
    "logsource": _LOG_SOURCE,
    "role": _ROLE,
    "sort": _TICKET_SORT,
    "hsort": _HOST_SORT,
}
ROLE_ORDER = ("msp-admin", "msp-operator", "customer-admin", "customer")


def _value(value: Any) -> str:
    return str(getattr(value, "value", value))


class Translator:
    """`t("key", **params)` in templates, plus the readings of values (`t.status(...)`)."""

    def __init__(self, lang: str, zone: ZoneInfo) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.zone = zone

    def __call__(self, key: str, **params: Any) -> str:
        text = self._lookup(key)
        if params:
            try:
                return text.format(**params)
            except (KeyError, IndexError, ValueError):
                return text
        return text

    def has(self, key: str) -> bool:
        return self._lookup(key) != key

    def _lookup(self, key: str) -> str:
        family, _, rest = key.partition(".")
        if rest and family in FAMILIES:
            words = FAMILIES[family]
            return words[self.lang].get(rest) or words["en"].get(rest) or rest
        return MESSAGES[self.lang].get(key) or MESSAGES["en"].get(key) or key

    def _word(self, family: str, value: Any) -> str:
        if value is None:
            return "—"
        return self._lookup(f"{family}.{_value(value)}")

    def status(self, value: Any) -> str:
        return self._word("status", value)

    def priority(self, value: Any) -> str:
        return self._word("priority", value)

    def observed(self, value: Any) -> str:
        return self._word("observed", value)

    def lifecycle(self, value: Any) -> str:
        return self._word("lifecycle", value)

    def sync(self, value: Any) -> str:
        return self._word("sync", value)

    def source(self, value: Any) -> str:
        return self._word("source", value)

    def activity(self, value: Any) -> str:
        return self._word("activity", value)

    def alert_state(self, value: Any) -> str:
        return self._word("alert", value)

    def outcome(self, value: Any) -> str:
        return self._word("outcome", value)

    def adapter_status(self, value: Any) -> str:
        return self._word("adapter", value)

    def log_source(self, value: Any) -> str:
        return self._word("logsource", value)

    def role(self, session: Any) -> str:
        roles = getattr(session, "roles", frozenset())
        for role in ROLE_ORDER:
            if role in roles:
                return self._word("role", role)
        return ""

    @staticmethod
    def cls(value: Any) -> str:
        """A value as a CSS class fragment (`IN_PROGRESS` → `in-progress`)."""
        return _value(value).lower().replace("_", "-")

    def number(self, value: int | float | None) -> str:
        if value is None:
            return "—"
        return f"{value:,}"

    def dt(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        return self._local(value).strftime("%Y-%m-%d %H:%M")

    def time(self, value: datetime | None) -> str:
        if value is None:
            return "—"
        return self._local(value).strftime("%H:%M:%S")

    def _local(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo("UTC"))
        return value.astimezone(self.zone)

    @staticmethod
    def clock(seconds: float) -> str:
        """An offset into a recording as `hh:mm:ss`."""
        hours, rest = divmod(max(0, int(seconds)), 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours:02d}:{minutes:02d}:{secs:02d}"

    def duration(self, seconds: float | None) -> str:
        """A duration as people say it: 45초 / 12분 / 1시간 5분 / 2일 3시간 (and in English)."""
        if seconds is None:
            return "—"
        total = max(0, round(seconds))
        ko = self.lang == "ko"
        if total < 60:
            return f"{total}초" if ko else f"{total} s"
        minutes, secs = divmod(total, 60)
        if minutes < 10 and secs:
            return f"{minutes}분 {secs}초" if ko else f"{minutes} min {secs} s"
        if minutes < 60:
            return f"{minutes}분" if ko else f"{minutes} min"
        hours, minutes = divmod(minutes, 60)
        if hours < 24:
            if ko:
                return f"{hours}시간" + (f" {minutes}분" if minutes else "")
            return f"{hours} h" + (f" {minutes} min" if minutes else "")
        days, hours = divmod(hours, 24)
        if ko:
            return f"{days}일" + (f" {hours}시간" if hours else "")
        return f"{days} d" + (f" {hours} h" if hours else "")

    @staticmethod
    def plain(value: Any) -> str:
        """A configuration value as text (lists and objects as compact JSON)."""
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
