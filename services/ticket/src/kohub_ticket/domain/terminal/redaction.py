"""Secrets in terminal text: where they are, and text with them replaced by "[REDACTED]".

A pattern finds the secret *value* only, so what names it stays readable
(`--password=[REDACTED]`, `Bearer [REDACTED]`). Recordings split text into events at
arbitrary points (bash echoes one character per event), so callers search a whole
stream and map the spans back onto the events with `redact_pieces`.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

REDACTED = "[REDACTED]"

# A value: quoted (may hold spaces) or bare up to whitespace, a quote or a control character.
_VALUE = r"""(?:"(?P<dq>[^"\r\n]+)"|'(?P<sq>[^'\r\n]+)'|(?P<bare>[^\s'"\x00-\x1f\x7f]+))"""
_VALUE_GROUPS = ("s", "dq", "sq", "bare")  # the first that matched holds it


@dataclass(frozen=True, slots=True)
class _Pattern:
    regex: re.Pattern[str]
    lowercase: bool = False
    """Matched against the text in lower case: a pattern that starts with a literal lets
    `re` skip ahead fast, one with (?i) or a look-behind is tried at every position."""
    not_after: re.Pattern[str] | None = None
    """The character before the match must not be one of these (checked after matching,
    for the same reason)."""


_WORD_CHAR = re.compile(r"\w")
_OPTION_CHAR = re.compile(r"[\w-]")
_PATTERNS = (
    # PEM private keys: the body, up to the END line (or the end of the text when cut off).
    _Pattern(
        re.compile(
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY-----\r?\n?(?P<s>(?s:.+?))\r?\n?"
            r"(?:-----END[A-Z0-9 ]*PRIVATE KEY-----|\Z)"
        )
    ),
    # Keys known by their shape: AWS access key ids, GitHub tokens, Termix API keys.
    _Pattern(
        re.compile(
            r"(?P<s>(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])|gh[pousr]_[A-Za-z0-9]{20,}"
            r"|github_pat_[A-Za-z0-9_]{20,}|tmx_[A-Za-z0-9_-]{8,})"
        ),
        not_after=_WORD_CHAR,
    ),
    _Pattern(re.compile(r"bearer[ \t]+(?P<s>[A-Za-z0-9._~+/-]+=*)"), True, _WORD_CHAR),
    # `Authorization: Basic xyz`, `authorization=xyz`: the scheme stays visible.
    _Pattern(
        re.compile(
            r"""authorization["']?[ \t]*[:=][ \t]*["']?(?:[a-z][\w-]*[ \t]+)?"""
            r"""(?P<s>[^\s'"\x00-\x1f\x7f]+)"""
        ),
        lowercase=True,
    ),
    # Command-line options: `--password=x`, `--password x`, `-pass x` (not `--password -h`).
    _Pattern(
        re.compile(r"--?(?:password|passwd|pass)(?:=|[ \t]+(?=[^\s-]))" + _VALUE),
        True,
        _OPTION_CHAR,
    ),
    # mysql and friends take `-pSECRET` (case matters: -P is the port).
    _Pattern(
        re.compile(
            r"(?:mysql|mariadb)[a-z]*\b[^\r\n|;&]*?[ \t]-p" + _VALUE,
        ),
        not_after=_WORD_CHAR,
    ),
    # Assignments: `DB_PASSWORD=x`, `aws_secret_access_key = x`, `token: x`, `"apiKey":"x"`.
    _Pattern(
        re.compile(
            r"(?:passw(?:or)?d|passphrase|secret|token|api[_-]?key|access[_-]?key"
            r"""|private[_-]?key)[\w.-]*["']?[ \t]*[=:][ \t]*""" + _VALUE
        ),
        lowercase=True,
    ),
    # Credentials in URLs: `https://user:secret@host`.
    _Pattern(re.compile(r"://[^/\s:@]+:(?P<s>[^/\s@]+)@")),
)


def find_secrets(text: str) -> list[tuple[int, int]]:
    """The spans of the secret values in `text`, unsorted and possibly overlapping."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters change length; offsets must hold
        lowered = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    spans = []
    for pattern in _PATTERNS:
        for match in pattern.regex.finditer(lowered if pattern.lowercase else text):
            before = match.start() - 1
            if pattern.not_after and before >= 0 and pattern.not_after.match(text, before):
                continue
            values = match.groupdict()
            group = next(g for g in _VALUE_GROUPS if values.get(g) is not None)
            start, end = match.span(group)
            if end > start and text[start:end] != REDACTED:
                spans.append((start, end))
    return spans


_EDIT_KEY = frozenset("\b\x1b\x7f")
_TO_WHITESPACE = re.compile(r"[^ \t\r\n]*")


def over_edits(text: str, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in keystrokes or their echo, stretched over edits made while the secret was
    typed (`s3cr3X<Backspace>t`: the pattern stops at the Backspace) to the next blank."""
    stretched = []
    for start, end in spans:
        blank = _TO_WHITESPACE.match(text, end)
        if blank and end < len(text) and text[end] in _EDIT_KEY:
            end = blank.end()
        stretched.append((start, end))
    return stretched


class KnownSecrets:
    """Secrets found anywhere in the recording, redacted wherever they appear verbatim (a
    password typed at a prompt and echoed later, a token assigned in one command and printed
    by another). Short values are left out (redacting every "1234" would wreck the output),
    and only the first LIMIT: each costs a scan of the whole recording. Secrets typed at
    password prompts come first; they have no other pattern to catch them."""

    LIMIT = 32
    MIN_LENGTH = 6

    def __init__(self, prompted: Iterable[str], found: Iterable[str]) -> None:
        values = dict.fromkeys(s for s in prompted if len(s) >= self.MIN_LENGTH)
        longest_first = sorted(found, key=len, reverse=True)
        values.update(dict.fromkeys(s for s in longest_first if len(s) >= self.MIN_LENGTH))
        self.values = list(values)[: self.LIMIT]

    def spans(self, text: str) -> list[tuple[int, int]]:
        spans = []
        for value in self.values:
            start = text.find(value)
            while start >= 0:
                spans.append((start, start + len(value)))
                start = text.find(value, start + len(value))
        return spans


def merge_spans(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def apply_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """`text` with every span of `spans` (merged, sorted) replaced by REDACTED."""
    parts, done = [], 0
    for start, end in spans:
        parts += (text[done:start], REDACTED)
        done = end
    parts.append(text[done:])
    return "".join(parts)


def redact_text(text: str, known: KnownSecrets | None = None) -> tuple[str, list[str]]:
    """`text` redacted, and the secret values that were in it."""
    spans = merge_spans(find_secrets(text) + (known.spans(text) if known else []))
    return apply_spans(text, spans), [text[start:end] for start, end in spans]


def redact_pieces(
    pieces: Sequence[str], starts: Sequence[int], spans: Sequence[tuple[int, int]]
) -> list[str]:
    """Redact the concatenation of `pieces` (piece k starting at `starts[k]`; `spans`
    merged and sorted) piece by piece: REDACTED goes into the piece where a secret starts,
    and the rest of the secret is cut from the pieces it runs on into."""
    cuts: dict[int, list[tuple[int, int, str]]] = {}
    for start, end in spans:
        k, replacement = bisect_right(starts, start) - 1, REDACTED
        while k < len(pieces) and starts[k] < end:
            low, high = max(start, starts[k]), min(end, starts[k] + len(pieces[k]))
            if high > low:
                cuts.setdefault(k, []).append((low - starts[k], high - starts[k], replacement))
                replacement = ""
            k += 1
    redacted = list(pieces)
    for k, piece_cuts in cuts.items():
        parts, done = [], 0
        for low, high, replacement in piece_cuts:
            parts += (pieces[k][done:low], replacement)
            done = high
        parts.append(pieces[k][done:])
        redacted[k] = "".join(parts)
    return redacted
