"""Writing the secrets file the Settings page saves to, and showing keys without revealing them.

The file is the one ``core.config.secrets_paths()`` reads first (``MEDIA_STUDIO_SECRETS``, else the
project's ``.streamlit/secrets.toml``). It is rewritten whole and atomically: a temporary file made
with mode 0600 from its first byte (``os.open``), then renamed over the old one, so a crash leaves
either the old file or the new one and no other user can ever read a key from it. Every other key
in the file is kept; comments are not (``tomllib`` drops them and there is no TOML writer here).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from core.config import secrets_paths

FILE_MODE = 0o600
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
MASK = "••••"


class SecretsFileError(Exception):
    """The secrets file cannot be read or written; ``message`` is one sentence."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def target_path() -> Path:
    """The file the Settings page writes: the most specific one Settings.load reads."""
    return secrets_paths()[0]


def mask(value: str | None) -> str:
    """A key as it may be shown: "sk-…wxyz", "…wxyz", or dots for a short one; never the key itself."""
    if not value:
        return ""
    value = value.strip()
    if len(value) < 12:
        return MASK
    prefix = "sk-" if value.startswith("sk-") else ""
    return f"{prefix}…{value[-4:]}"


def file_mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def save_settings(values: Mapping[str, str | None], path: Path | None = None) -> Path:
    """Set (or, for an empty value or None, remove) these flat settings in the secrets file.

    A setting kept as a table entry (``[watsonx] apikey``) is replaced by the flat name, so the file
    never holds two values for one setting."""
    path = path or target_path()
    document = _read(path)
    for name, value in values.items():
        _remove(document, name.upper())
        if value is not None and value.strip():
            document[name.upper()] = value.strip()
    _write_atomically(path, dumps(document))
    return path


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return {}
    except tomllib.TOMLDecodeError:
        # Never overwrite a file we cannot read: it may hold keys the user still needs.
        raise SecretsFileError(f"{path} is not valid TOML; fix or move it, then save again.") from None
    except OSError as exc:
        raise SecretsFileError(f"{path} cannot be read ({exc.strerror or type(exc).__name__}).") from None


def _remove(table: dict[str, Any], name: str, prefix: str = "") -> None:
    """Drop every entry that ``core.config`` would read as ``name`` (flat or inside tables)."""
    for key in list(table):
        full = f"{prefix}_{key}".upper() if prefix else str(key).upper()
        value = table[key]
        if isinstance(value, dict):
            _remove(value, name, full)
            if not value:
                del table[key]
        elif full == name:
            del table[key]


def _write_atomically(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, FILE_MODE)  # os.open's mode passes through the umask; make it exact
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SecretsFileError(f"Cannot write {path} ({exc.strerror or type(exc).__name__}).") from None


# --- a small TOML writer: the values tomllib reads back --------------------------------------------


def dumps(document: Mapping[str, Any]) -> str:
    """``document`` as TOML: plain keys first, then one ``[table]`` per nested mapping."""
    lines: list[str] = []
    _dump_table(document, [], lines)
    return "\n".join(lines).lstrip("\n") + "\n"


def _dump_table(table: Mapping[str, Any], path: list[str], lines: list[str]) -> None:
    plain = {k: v for k, v in table.items() if not isinstance(v, Mapping)}
    nested = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    if path and (plain or not nested):
        lines.append("")
        lines.append("[" + ".".join(_key(p) for p in path) + "]")
    lines.extend(f"{_key(k)} = {_value(v)}" for k, v in plain.items())
    for key, value in nested.items():
        _dump_table(value, [*path, key], lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)  # JSON's string escapes are valid TOML
