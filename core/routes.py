"""The studio's own HTTP routes, served beside Streamlit's by ``st.App`` in ``streamlit_app.py``.

The server imports this module when it starts, outside any script run, so it imports no Streamlit
UI code (``ui/``): importing ``ui`` that early broke the Create video page's prompt in a browser test.

``/api/files/…``: a signed download link (``core/downloads.py``) answered from disk in chunks, with
byte ranges, so a ZIP of any size or a long video never passes through the server's memory whole.
"""

from __future__ import annotations

import functools
import mimetypes
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Route

from core import downloads
from core.config import Settings, data_home


@functools.cache
def _home() -> Path:
    return data_home(Settings.load())


async def download(request: Request) -> Response:
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


ROUTES = [Route(f"{downloads.ROUTE}/{{path:path}}", download, methods=["GET", "HEAD"])]
