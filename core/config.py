"""Where settings come from: the environment first, then ``.streamlit/secrets.toml``.

Secrets are read here and handed to the providers; they are never logged, stored or exported.
The secrets file is parsed with ``tomllib`` rather than ``st.secrets`` so that core/ works
outside a Streamlit run (tests, benchmarks) and a missing file is simply "no secrets".
"""

from __future__ import annotations

import logging
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import BackendUnavailable
from core.redact import remember_secrets

log = logging.getLogger(__name__)

PREFIXES = ("WATSONX_", "OPENAI_", "MEDIA_STUDIO_", "DATABASE_URL", "CAPTION_")


def secrets_paths() -> list[Path]:
    """The secrets files Streamlit itself would read, most specific first."""
    explicit = os.environ.get("MEDIA_STUDIO_SECRETS")
    if explicit:
        return [Path(explicit)]
    return [Path.cwd() / ".streamlit" / "secrets.toml", Path.home() / ".streamlit" / "secrets.toml"]


def _flatten(table: Mapping[str, object], prefix: str = "") -> dict[str, str]:
    """Accept both ``WATSONX_APIKEY = "…"`` and ``[watsonx] apikey = "…"`` layouts."""
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}_{key}".upper() if prefix else str(key).upper()
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name))
        elif value is not None:
            flat[name] = str(value)
    return flat


def read_secrets_file(paths: list[Path] | None = None) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in reversed(paths if paths is not None else secrets_paths()):
        try:
            with path.open("rb") as fh:
                merged.update(_flatten(tomllib.load(fh)))
        except FileNotFoundError:
            continue
        except (OSError, tomllib.TOMLDecodeError) as exc:
            # Never echo the file's content: it holds keys.
            log.warning("Ignoring unreadable secrets file %s (%s)", path, type(exc).__name__)
    return merged


@dataclass(frozen=True)
class Settings:
    """A snapshot of every setting the studio reads; hashable so clients can be cached on it."""

    values: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @classmethod
    def load(cls, environ: Mapping[str, str] | None = None, secrets: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        merged = dict(read_secrets_file() if secrets is None else secrets)
        merged.update({k: v for k, v in env.items() if k.startswith(PREFIXES)})
        values = tuple(sorted((k, v) for k, v in merged.items() if v != ""))
        remember_secrets(values)  # from now on no log line, stored error, export or page shows them
        return cls(values)

    def get(self, name: str, default: str | None = None) -> str | None:
        for key, value in self.values:
            if key == name:
                return value
        return default

    def seconds(self, name: str, default: float) -> float:
        """``name`` as a positive number of seconds (``default`` when unset), or ``BackendUnavailable``."""
        raw = self.get(name)
        try:
            value = float(raw) if raw else default
        except ValueError:
            value = -1.0
        if not value > 0:
            raise BackendUnavailable(f"{name} must be a positive number of seconds.")
        return value

    def __repr__(self) -> str:  # keys may be inside: never print values
        return f"Settings({len(self.values)} values)"


def data_home(settings: Settings | None = None) -> Path:
    """The data folder: ``MEDIA_STUDIO_HOME`` or ``~/.media-studio``."""
    raw = (settings.get("MEDIA_STUDIO_HOME") if settings else None) or os.environ.get("MEDIA_STUDIO_HOME")
    home = Path(raw).expanduser() if raw else Path.home() / ".media-studio"
    home.mkdir(parents=True, exist_ok=True)
    return home
