"""The studio's own HTTP routes, served beside Streamlit's by ``st.App`` in ``streamlit_app.py``.

The server imports this module when it starts, outside any script run, so it imports no Streamlit
UI code (``ui/``): importing ``ui`` that early broke the Create video page's prompt in a browser test.

``/api/files/…``: a signed download link (``core/downloads.py``) answered from disk in chunks, with
byte ranges, so a ZIP of any size or a long video never passes through the server's memory whole.
When sign-in is configured (``core/access.py``), the request must also carry the signed-in user's
cookie that ``st.login`` set: a link copied out of the studio is no use to someone signed out.
"""

from __future__ import annotations

import functools
import json
import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from core import access, downloads
from core.config import Settings, data_home


@functools.cache
def _home() -> Path:
    return data_home(Settings.load())


@functools.cache
def _sign_in_required() -> bool:
    return access.sign_in_provider(access.auth_settings()) is not None


def _signed_in(request: Request) -> bool:
    """Whether the request carries Streamlit's signed sign-in cookie (``st.login``) for a signed-in user."""
    from streamlit.auth_util import get_cookie_with_chunks
    from streamlit.web.server.server_util import get_cookie_secret
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value

    secret = get_cookie_secret()

    def one(name: str) -> bytes | None:
        raw = request.cookies.get(name)
        return None if raw is None else decode_signed_value(secret, name, raw.encode("latin-1"))

    value = get_cookie_with_chunks(one, USER_COOKIE)
    if not value:
        return False
    try:
        return json.loads(value).get("is_logged_in") is True
    except (ValueError, AttributeError):
        return False


async def download(request: Request) -> Response:
    if _sign_in_required() and not _signed_in(request):  # a leaked link is no use to a stranger
        return PlainTextResponse("Sign in to the studio first.", status_code=401)
    query = request.query_params
    name = query.get("name", "")
    try:
        path = downloads.resolve(
            _home(), request.path_params["path"], name, query.get("expires", ""), query.get("sig", "")
        )
    except downloads.DownloadRefused as refused:
        return PlainTextResponse(refused.message, status_code=refused.status)
    media_type = mimetypes.guess_type(name or path.name)[0] or "application/octet-stream"
    if not name:  # a player's or an image's source: shown in the page, kept by the browser for the hour
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "private, max-age=3600"})
    return FileResponse(path, media_type=media_type, filename=name, headers={"Cache-Control": "private, no-store"})


USER_COOKIE = "_streamlit_user"  # Streamlit's sign-in cookie (streamlit.web.server.starlette)

ROUTES = [Route(f"{downloads.ROUTE}/{{path:path}}", download, methods=["GET", "HEAD"])]
