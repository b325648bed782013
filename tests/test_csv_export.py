"""The caption CSV round-trips through pandas and cannot run as a spreadsheet formula."""

import csv
import io

import pandas as pd  # no pandas-stubs in the venv
import pytest

from core.captions import service as captions
from core.exports import neutralise, rows_to_csv
from db import captions as queries

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL

TRICKY = [
    'A cat, sitting on "the" mat',
    "Line one\nline two\r\nline three",
    "Кошка на ковре — 猫がマットの上に座っている — قطة",
    "Sunset vibes 🌅🐈‍⬛ #golden",
    '=HYPERLINK("http://evil.example","click")',
    "+1 555 0100 call now",
    "-2+3",
    "@SUM(A1:A2)",
    "\tindented with a tab",
    "\rcarriage return first",
    "plain, ordinary caption",
]


def _seed(studio, texts, provider="offline", style="alt_text"):
    with studio.db.session() as session:
        asset = queries.add_asset(
            session, sha256="c" * 64, display_name="=cmd|' /C calc'!A0.png", format="PNG", width=10, height=10, size=100
        )
        for t in texts:
            queries.add_caption(session, asset, style=style, prompt="", provider=provider, model="m", text=t)


def _read(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False, dtype=str)


def test_export_round_trips_commas_quotes_newlines_non_latin_and_emoji(studio):
    _seed(studio, TRICKY)
    frame = _read(captions.export_captions_csv(studio, captions.CaptionFilter(), all_versions=True))
    assert list(frame.columns) == list(queries.EXPORT_COLUMNS)
    assert len(frame) == len(TRICKY)
    for original, exported in zip(TRICKY, frame["caption"]):
        expected = "'" + original if original[0] in "=+-@\t\r" else original
        assert exported == expected


def test_formula_cells_are_neutralised_everywhere_including_file_names(studio):
    _seed(studio, TRICKY)
    data = captions.export_captions_csv(studio, captions.CaptionFilter(), all_versions=True)
    for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert _read(data)["image_name"][0] == "'=cmd|' /C calc'!A0.png"


def test_export_is_utf8_with_a_bom_and_crlf_rows_for_spreadsheets():
    data = rows_to_csv(["a"], [["é"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "a\r\né\r\n"


def test_numbers_are_not_mangled_by_neutralising():
    assert neutralise(-3.5) == -3.5
    assert neutralise("-3.5") == "'-3.5"


def test_export_holds_only_the_filtered_rows(studio):
    _seed(studio, ["a cat on a mat", "a dog in fog"], provider="offline")
    _seed(studio, ["a cat in a hat"], provider="watsonx", style="detailed")
    everything = captions.CaptionFilter(search="cat")
    frame = _read(captions.export_captions_csv(studio, everything, all_versions=True))
    assert sorted(frame["caption"]) == ["a cat in a hat", "a cat on a mat"]
    watsonx_only = captions.CaptionFilter(search="cat", providers=("watsonx",))
    frame = _read(captions.export_captions_csv(studio, watsonx_only, all_versions=True))
    assert list(frame["caption"]) == ["a cat in a hat"]


def test_by_default_each_image_gives_its_newest_caption_with_a_readable_style_and_rounded_figures(studio):
    with studio.db.session() as session:
        for n, texts in enumerate((["first take", "second take", "newest take"], ["only take"])):
            asset = queries.add_asset(
                session, sha256=f"{n}" * 64, display_name=f"{n}.png", format="PNG", width=10, height=10, size=100
            )
            for t in texts:
                queries.add_caption(
                    session,
                    asset,
                    style="alt_text" if n else "social",
                    prompt="",
                    provider="offline",
                    model="m",
                    text=t,
                    latency_ms=1234.56789,
                    confidence=0.876543,
                )
    frame = _read(captions.export_captions_csv(studio, captions.CaptionFilter()))
    assert sorted(frame["caption"]) == ["newest take", "only take"]
    assert sorted(frame["style"]) == ["Alt text", "Social post"]
    assert set(frame["latency_ms"]) == {"1235"} and set(frame["confidence"]) == {"0.88"}
    older = _read(captions.export_captions_csv(studio, captions.CaptionFilter(), all_versions=True))
    assert len(older) == 4


def test_the_generations_export_is_formula_safe_and_round_trips(studio):

    from core.videos import library as videos
    from tests.helpers.studio import add_generation_row

    prompt = '=IMPORTXML("http://evil") a fox, "quoted", 狐 🦊\nsecond line'
    add_generation_row(studio, prompt, variations=2)
    frame = _read(videos.export_generations_csv(studio, videos.GenerationFilter()))
    assert list(frame.columns) == list(videos.GENERATION_EXPORT_COLUMNS)
    assert frame["prompt"][0] == "'" + prompt
    assert frame["status"][0] == "active" and frame["variations"][0] == "2"
