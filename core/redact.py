"""Keeping secrets out of what a user or a log sees.

A remote service's own error text is worth showing, but servers quote the key they refused
(401 texts often do), so every such text passes through ``redact`` first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

REDACTED = "[redacted]"
# OpenAI-style keys, masked ones too ("sk-abc***wxyz"), for texts that may quote a key we never had.
_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*.]{4,})")


def redact(text: str, secrets: Iterable[str | None], *, key_like: bool = False) -> str:
    """``text`` with every non-empty secret replaced by "[redacted]"; with ``key_like``, any key-shaped word too."""
    for secret in secrets:
        if secret:  # an empty string would match between every character
            text = text.replace(secret, REDACTED)
    return _KEY_LIKE.sub(REDACTED, text) if key_like else text
