"""Turning bot messages into SMS: plain text, numbered menus for buttons, at most 3 segments.

A segment of a concatenated SMS holds 153 GSM-7 characters, or 67 UTF-16 code units when the
text needs UCS-2 (any character outside GSM-7, such as an emoji). Answers are split at
sentence boundaries so no segment breaks a sentence unless one sentence is longer than a
segment.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from clinic.messages import message_text

GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = "^{}\\[~]|€\f"
GSM7_SEGMENT = 153
UCS2_SEGMENT = 67
MAX_SEGMENTS = 3
ELLIPSIS = "..."
MARKDOWN = re.compile(r"(\*\*|__|`)")
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)]+)\)")
SENTENCE_END = re.compile(r"(?<=[.!?:])\s+|\n+")


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def sms_length(text: str, gsm7: bool) -> int:
    """Length in the units a segment is counted in (extension characters take two GSM-7 slots)."""
    if gsm7:
        return sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
    return len(text.encode("utf-16-le")) // 2


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``limit`` characters.

    The cut ends with ``ELLIPSIS``, written in GSM-7 so that cutting never turns a GSM-7 text
    into UCS-2 (whose segments hold 67 characters instead of 153).
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)].rsplit(" ", 1)[0].rstrip(",;:-")
    return cut + ELLIPSIS


def plain_text(text: str) -> str:
    text = MARKDOWN_LINK.sub(r"\1 \2", text)
    text = MARKDOWN.sub("", text)
    text = re.sub(r"^\s*[-*•]\s+", "- ", text, flags=re.MULTILINE)
    return text.strip()


def numbered_menu(buttons: Sequence[dict[str, Any]], language: str = "en") -> str:
    options = ", ".join(
        message_text("sms_menu_option", None, language, number=i, title=str(b.get("title", "")).strip())
        for i, b in enumerate(buttons, start=1)
    )
    return message_text("sms_menu", None, language, options=options)


@dataclass
class SmsReply:
    segments: list[str]
    menu_payloads: list[str] = field(default_factory=list)


def _pieces(text: str, limit: int, gsm7: bool) -> list[str]:
    """Sentences, with any sentence longer than a segment cut at word boundaries."""
    pieces: list[str] = []
    for sentence in (s.strip() for s in SENTENCE_END.split(text)):
        if not sentence:
            continue
        while sms_length(sentence, gsm7) > limit:
            cut = sentence[:limit].rsplit(" ", 1)[0] or sentence[:limit]
            while sms_length(cut, gsm7) > limit:
                cut = cut[:-1]
            pieces.append(cut)
            sentence = sentence[len(cut) :].strip()
        if sentence:
            pieces.append(sentence)
    return pieces


def split_segments(text: str, max_segments: int = MAX_SEGMENTS) -> list[str]:
    gsm7 = is_gsm7(text)
    limit = GSM7_SEGMENT if gsm7 else UCS2_SEGMENT
    segments: list[str] = []
    for piece in _pieces(text, limit, gsm7):
        joined = f"{segments[-1]} {piece}" if segments else piece
        if segments and sms_length(joined, gsm7) <= limit:
            segments[-1] = joined
        elif len(segments) < max_segments:
            segments.append(piece)
        else:
            last = segments[-1]
            while sms_length(last + ELLIPSIS, gsm7) > limit:
                last = last[:-1]
            segments[-1] = last.rstrip() + ELLIPSIS
            break
    return segments


def render_sms(messages: Iterable[dict[str, Any]], language: str = "en") -> SmsReply:
    """One SMS reply from the bot messages of one turn; the last buttons become a numbered menu."""
    texts: list[str] = []
    buttons: list[dict[str, Any]] = []
    for message in messages:
        if message.get("text"):
            texts.append(plain_text(message["text"]))
        if message.get("buttons"):
            buttons = list(message["buttons"])
    body = " ".join(t for t in texts if t)
    menu = numbered_menu(buttons, language) if buttons else ""
    if not menu:
        return SmsReply(split_segments(body))
    # The menu must survive: it gets the last segment to itself when the body is long.
    segments = split_segments(body, MAX_SEGMENTS - 1) if body else []
    combined = split_segments(f"{body} {menu}".strip())
    if len(combined) <= MAX_SEGMENTS and combined[-1].endswith(menu):
        segments = combined
    else:
        segments.append(menu)
    return SmsReply(segments, [str(b.get("payload", "")) for b in buttons])
