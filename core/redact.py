"""Keeping secrets out of what a user or a log sees: one redaction layer for every log line,
stored error, export and page.

Two kinds of secret are removed:
- the ones the studio knows: every setting whose name says key, token, secret or password, and the
  password inside any URL setting (``remember_secrets``, called by ``Settings.load``), including a
  key quoted back without its ``sk-`` prefix;
- the ones shaped like a secret, wherever they come from: ``sk-…`` keys (masked ones too),
  ``Authorization`` headers, ``"apikey"``/``"access_token"``-style JSON fields and query parameters,
  and the credentials part of any URL (``scheme://user:password@host``).

``install_log_redaction`` makes every log record pass through ``scrub``, the SDKs' own loggers
(ibm_watsonx_ai, httpx, openai) included.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterable
from urllib.parse import urlsplit

REDACTED = "[redacted]"
MIN_SECRET = 6  # shorter values (a port, "true") would redact ordinary words

_SECRET_SETTING = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
# OpenAI-style keys, masked ones too ("sk-abc***wxyz"), for texts that may quote a key we never had.
_KEY_LIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*.]{4,})")
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)([^/\s:@]+):([^/\s@]+)@")
_AUTH_HEADER = re.compile(r"(?i)\b(authorization|x-api-key|api-key)(\"?\s*[:=]\s*\"?)(bearer\s+|basic\s+)?[^\s\"',;]+")
_JSON_SECRET = re.compile(
    r"(?i)(\"(?:api_?key|apikey|access_token|refresh_token|token|password|secret|client_secret)\"\s*:\s*\")[^\"]+"
)
_BASIC = re.compile(r"(?i)\b(basic\s+)[A-Za-z0-9+/]{6,}={0,2}")
_QUERY_SECRET = re.compile(r"(?i)\b((?:api_?key|apikey|access_token|token|password)=)[^&\s\"']+")

_known: set[str] = set()
_lock = threading.Lock()


def url_password(value: str) -> str | None:
    """The password inside a URL (``http://user:PASSWORD@host``), if it has one."""
    if "://" not in value or "@" not in value:
        return None
    try:
        return urlsplit(value.strip()).password or None
    except ValueError:
        return None


def remember_secrets(settings: Iterable[tuple[str, str]]) -> None:
    """Note every secret among these (name, value) settings, so ``scrub`` removes it anywhere."""
    found: set[str] = set()
    for name, value in settings:
        value = value.strip()
        if _SECRET_SETTING.search(name) and len(value) >= MIN_SECRET:
            found.add(value)
            if value.startswith("sk-") and len(value) - 3 >= MIN_SECRET:
                found.add(value[3:])  # a service may quote the key without its prefix
        password = url_password(value)
        if password and len(password) >= 3:
            found.add(password)
            user = urlsplit(value.strip()).username or ""
            # HTTP clients send a URL's user and password as "Authorization: Basic base64(user:password)",
            # which a service may quote back.
            found.add(base64.b64encode(f"{user}:{password}".encode()).decode("ascii"))
    with _lock:
        _known.update(found)


def display_url(url: str) -> str:
    """``url`` as it may be shown: without a user name or password."""
    return _URL_CREDENTIALS.sub(r"\1", url)


def scrub(text: str) -> str:
    """``text`` with every known secret and every secret-shaped part replaced by "[redacted]"."""
    if not text:
        return text
    with _lock:
        known = sorted(_known, key=len, reverse=True)  # the longest first: a key before its suffix
    for secret in known:
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = _URL_CREDENTIALS.sub(lambda m: f"{m.group(1)}{REDACTED}@", text)
    text = _AUTH_HEADER.sub(lambda m: f"{m.group(1)}{m.group(2)}{m.group(3) or ''}{REDACTED}", text)
    text = _JSON_SECRET.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _BASIC.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    text = _QUERY_SECRET.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
    return _KEY_LIKE.sub(REDACTED, text)


def redact(text: str, secrets: Iterable[str | None], *, key_like: bool = False) -> str:
    """``text`` with these secrets (and every known or secret-shaped one) replaced by "[redacted]"."""
    for secret in secrets:
        if secret:  # an empty string would match between every character
            text = text.replace(secret, REDACTED)
    return scrub(text)


# --- the log layer ---------------------------------------------------------------------------------


class RedactingFilter(logging.Filter):
    """On a handler: scrubs the formatted exception text too (the record's message is already clean)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


_installed = False


def install_log_redaction() -> None:
    """Every log record, from any logger, has its message scrubbed as it is made; every handler of
    the root and the streamlit loggers scrubs exception text. Idempotent."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what logging would have shown
            return record
        record.msg, record.args = scrub(message), None
        return record

    logging.setLogRecordFactory(scrubbed_record)
    for name in ("", "streamlit"):
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, RedactingFilter) for f in handler.filters):
                handler.addFilter(RedactingFilter())
