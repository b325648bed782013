"""Captioning with watsonx from upload to saved row, through the real SDK and a fake watsonx:
a success is saved with its usage; 401, 429, 500 and a timeout each give one clear sentence
and save nothing; the API key never reaches the database or the media folder."""

import base64
import io
import sqlite3

import pytest
from PIL import Image

from core.captions import service as captions
from core.captions.providers import build_provider
from core.captions.providers import watsonx as wx
from core.config import Settings
from tests.helpers.corpus import big_photo
from tests.helpers.studio import snapshot


@pytest.fixture(autouse=True)
def fresh_clients():
    wx.clear_clients()
    yield
    wx.clear_clients()


def _provider(server, **overrides):
    return build_provider("watsonx", Settings.load(environ=server.client_settings(**overrides), secrets={}))


def test_a_12_megapixel_photo_is_sent_at_1120_px_and_its_caption_saved(studio, watsonx_server):
    provider = _provider(watsonx_server)
    outcome = captions.caption_image(studio, captions.Upload("holiday.jpg", big_photo(12)), "social", "", provider)
    assert outcome.ok, outcome.error
    assert outcome.text == watsonx_server.caption
    [chat] = watsonx_server.chat_requests
    url = chat.json()["messages"][0]["content"][1]["image_url"]["url"]
    sent = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert sent.format == "JPEG" and max(sent.size) == 1120
    _, [row] = captions.history(studio, captions.CaptionFilter())
    assert (row.provider, row.model, row.text) == ("watsonx", wx.DEFAULT_MODEL_ID, watsonx_server.caption)


@pytest.mark.parametrize(
    "status, words",
    [(401, "credentials"), (429, "rate"), (500, "service")],
)
def test_a_failing_service_gives_a_clear_message_and_saves_nothing(studio, watsonx_server, status, words):
    provider = _provider(watsonx_server)
    watsonx_server.fail_next(status, count=20)
    before = snapshot(studio)
    outcome = captions.caption_image(studio, captions.Upload("cat.jpg", big_photo(2)), "alt_text", "", provider)
    assert outcome.error is not None  # refused
    assert words in outcome.error.lower()
    assert snapshot(studio) == before


def test_a_timeout_gives_a_clear_message_and_saves_nothing(studio, watsonx_server):
    provider = _provider(watsonx_server, WATSONX_TIMEOUT="1")
    watsonx_server.stall_next(3)
    before = snapshot(studio)
    outcome = captions.caption_image(studio, captions.Upload("cat.jpg", big_photo(2)), "alt_text", "", provider)
    assert not outcome.ok and "did not answer within 1" in (outcome.error or "")
    assert snapshot(studio) == before


def test_the_api_key_never_reaches_the_database_or_media(studio, watsonx_server):
    provider = _provider(watsonx_server)
    assert captions.caption_image(studio, captions.Upload("a.jpg", big_photo(1)), "alt_text", "", provider).ok
    watsonx_server.fail_next(401, count=20)
    captions.caption_image(studio, captions.Upload("b.jpg", big_photo(1.5)), "alt_text", "", provider)
    db_path = studio.db.engine.url.database
    studio.db.dispose()
    with sqlite3.connect(db_path) as conn:
        dump = "\n".join(conn.iterdump())
    assert watsonx_server.api_key not in dump
    for path in studio.home.rglob("*"):
        if path.is_file():
            assert watsonx_server.api_key.encode() not in path.read_bytes(), path
    assert watsonx_server.api_key.encode() not in captions.export_captions_csv(studio, captions.CaptionFilter())
