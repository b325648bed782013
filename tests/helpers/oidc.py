"""A local OpenID Connect provider for sign-in tests (``oidc-provider-mock``, its own command line on
a free loopback port) and the ``[auth]`` secrets that point the studio's ``st.login`` at it.

The provider's authorize page is a form: type a subject ("sub") and press Authorize; a predefined
user's claims (name, email) come with the ID token."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from pathlib import Path

from tests.helpers.browser import free_port, stop_process


@contextlib.contextmanager
def oidc_provider(log_path: Path, users: list[Mapping[str, str]], timeout: float = 30) -> Iterator[str]:
    """Run the mock provider with these predefined users (each with a "sub"); yield its issuer URL."""
    port = free_port()
    command = [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    for user in users:
        command += ["--user-claims", json.dumps(dict(user))]
    issuer = f"http://127.0.0.1:{port}"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"oidc-provider-mock exited early:\n{log_path.read_text()[-3000:]}")
                try:
                    with urllib.request.urlopen(f"{issuer}/.well-known/openid-configuration", timeout=2):
                        break
                except OSError:
                    if time.monotonic() > deadline:
                        raise RuntimeError(
                            f"oidc-provider-mock did not answer:\n{log_path.read_text()[-3000:]}"
                        ) from None
                    time.sleep(0.2)
            yield issuer
        finally:
            stop_process(process)


def write_auth_secrets(path: Path, issuer: str) -> Path:
    """Streamlit secrets whose ``[auth]`` signs in at ``issuer``; the studio's port fills ``{port}``.

    Start the studio with ``STREAMLIT_SECRETS_FILES=<path>`` (Streamlit's ``secrets.files`` option)."""
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-test-cookie-secret-long-enough-for-hs256"\n'
        'client_id = "media-studio"\n'
        'client_secret = "media-studio-secret"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n'
    )
    return path
