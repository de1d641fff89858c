"""Random and hostile chat messages, reproducible from a seed, for the fault tests."""

from __future__ import annotations

import json
import random
import string

COMMANDS = [
    "/restart",
    "/session_start",
    "/crisis",
    "/nlu_fallback",
    "/action_listen",
    "/",
    "//",
    "/stop",
    '/greet{"medication": "lyrica"}',
    '/intent{"unclosed": ',
    "/back",
    "/out_of_scope{}",
]
MARKUP = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<b>bold</b><!--",
    "]]>",
    "&amp;&lt;",
    "javascript:alert(1)",
    "[click](javascript:alert(1))",
    "' OR 1=1; DROP TABLE events; --",
    "%s%s%s%n",
    "{0}{1}{sender}",
    "${jndi:ldap://x/a}",
    "\\x00\\u0000",
    "../../etc/passwd",
]
UNICODE = [
    "\u202eevil\u202c",
    "\u200b\u200c\u200d\u2060\ufeff",
    "e" + "\u0301" * 300,
    "👩‍👩‍👧‍👦" * 50,
    "𝕳𝖊𝖑𝖑𝖔",
    "مرحبا كيف حالك",
    "שלום",
    "\u0000\u0001\u0007\u001b[31m",
    "\r\n\t\x0b\x0c",
    "ﷺ" * 100,
    "Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇",
    "\ufffd\uffff\ufffe",
    "𐍈" * 500,
]
NORMAL = [
    "what is fibromyalgia?",
    "are you open on saturday?",
    "where are your clinics?",
    "hi",
    "yes",
    "stop",
    "HELP",
    "1",
    "2",
    "does insurance cover ketamine?",
    "I want to talk to a person",
]
LONE_SURROGATES = ["\ud800", "abc\udfffdef", "\udc00\ud800", "hi \ud83d there"]


def _random_text(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(string.printable) for _ in range(length))


def _binary_looking(rng: random.Random, length: int) -> str:
    return bytes(rng.randrange(256) for _ in range(length)).decode("latin-1")


def _random_unicode(rng: random.Random, length: int) -> str:
    # Any code point outside the surrogate block, including unassigned and private-use ones.
    points = (rng.randrange(0x110000) for _ in range(length))
    return "".join(chr(p) for p in points if not 0xD800 <= p <= 0xDFFF)


def hostile_message(rng: random.Random, surrogates: bool = True) -> str:
    """One message; ``surrogates`` allows lone UTF-16 surrogates (only JSON can carry them)."""
    kind = rng.randrange(100)
    if kind < 2:
        # Around the channels' 20,000-character limit, from either side.
        return (rng.choice(["x", "pain ", "ketamine? "]) * 40_000)[: rng.randrange(15_000, 40_000)]
    if kind < 4:
        return _random_text(rng, rng.randrange(2_000, 25_000))
    if kind < 14:
        return _binary_looking(rng, rng.randrange(1, 400))
    if kind < 24:
        return _random_unicode(rng, rng.randrange(1, 200))
    if kind < 34:
        return rng.choice(UNICODE) + rng.choice(NORMAL)
    if kind < 44:
        return rng.choice(COMMANDS)
    if kind < 52:
        return rng.choice(MARKUP)
    if kind < 60:
        payload = {"sender": "someone-else", "message": rng.choice(NORMAL), "metadata": {"crisis_first": True}}
        return json.dumps(payload) if rng.random() < 0.5 else json.dumps([payload, None, 1e308, "\\u0000"])
    if kind < 64 and surrogates:
        return rng.choice(LONE_SURROGATES)
    if kind < 68:
        return rng.choice(["", " ", "\n", "\t\t", "\u3000"])
    return rng.choice(NORMAL) + " " + _random_text(rng, rng.randrange(0, 40))
