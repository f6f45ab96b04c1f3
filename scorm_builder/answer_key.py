"""The answer key as the page carries it: never in plain text (issue 12).

Each question gets a salt; the run-time grades a choice by comparing the digest of the learner's
response with the stored one, and opens the encoded key (correct answer, tolerance, explanation)
only once the learner has submitted. This keeps answers out of "view source"; it does not stop a
learner who runs the page's own code in the browser's developer tools (see the README).
Mirrors `fnv`, `digest` and `revealed` in templates/static/runtime.js.
"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from typing import Any

_MASK = 0xFFFFFFFF


def fnv(text: str) -> int:
    """FNV-1a, 32 bits, over the characters of an ASCII text."""
    value = 0x811C9DC5
    # An ASCII text's bytes are its character codes, and need no ord() each.
    for code in text.encode("ascii") if text.isascii() else map(ord, text):
        value = ((value ^ code) * 0x01000193) & _MASK
    return value


def salt(lesson_id: str, question_id: str) -> str:
    """Per question and deterministic (same sources, same bytes), so digests never repeat."""
    return hashlib.sha256(f"{lesson_id}\0{question_id}".encode()).hexdigest()[:16]


def digest(salt_text: str, question_id: str, pattern: str) -> str:
    return f"{fnv(f'{salt_text}:{question_id}:{pattern}'):08x}"


def encode(salt_text: str, question_id: str, key: dict[str, Any]) -> str:
    """The key as JSON, XORed with a xorshift32 stream seeded from the salt, in base64."""
    plain = json.dumps(key, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return base64.b64encode(_xor(salt_text, question_id, plain)).decode("ascii")


def decode(salt_text: str, question_id: str, encoded: str) -> dict[str, Any]:
    """What the run-time opens after submitting (for tests and benchmarks that play learners)."""
    plain = _xor(salt_text, question_id, base64.b64decode(encoded))
    key: dict[str, Any] = json.loads(plain.decode("utf-8"))
    return key


def _xor(salt_text: str, question_id: str, data: bytes) -> bytes:
    # One xorshift32 step for every four bytes, all four bytes of the state used (little
    # endian): a quarter of the steps of one per byte, as Python pays for each step.
    state = fnv(salt_text + question_id) or 1
    steps = -(-len(data) // 4)
    states = []
    for _ in range(steps):
        state ^= (state << 13) & _MASK
        state ^= state >> 17
        state ^= (state << 5) & _MASK
        states.append(state)
    stream = struct.pack(f"<{steps}I", *states)
    key = int.from_bytes(stream[: len(data)], "little")
    return (int.from_bytes(data, "little") ^ key).to_bytes(len(data), "little")
