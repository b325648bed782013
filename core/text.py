"""User text made safe to store: what a browser can send is not always what UTF-8 can encode.

A lone surrogate (half of a UTF-16 pair, e.g. from a pasted emoji cut in two) cannot be written
to SQLite or to a UTF-8 file, and PostgreSQL refuses NUL; both would surface as a crash. Every
service that stores text the user typed passes it through ``clean`` first.
"""

from __future__ import annotations

import re

_UNSTORABLE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD and NUL characters removed."""
    return _UNSTORABLE.sub(REPLACEMENT, text).replace("\x00", "")
