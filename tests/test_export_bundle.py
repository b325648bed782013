"""Exports that travel: readable, collision-free names from a template, a trigger word first in
every caption, sidecars, ``metadata.jsonl`` and ``metadata.csv`` in the layout dataset loaders
read, captions written into the exported image copies (read back by exiftool) while the library's
originals stay byte for byte, and a large export written to disk with flat memory and progress."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
import tracemalloc
import zipfile

import numpy as np
import pytest

from core.bundle import BundleOptions, export_to_file, readable_stem
from core.captions.export import export_captions_zip
from core.errors import StudioError
from core.videos.export import export_sets_zip
from db.media import EXTENSIONS, ORIGINALS
from tests.helpers.imaging import SAVE_OPTIONS, noise_image, store_captioned_image
from tests.helpers.studio import finished_set

pytestmark = pytest.mark.both_databases  # the studio's database: SQLite, then PostgreSQL

FORMATS = tuple(SAVE_OPTIONS)


def exiftool_json(folder) -> list[dict]:
    tool = shutil.which("exiftool")
    assert tool, "exiftool is missing: scripts/setup.sh dev installs libimage-exiftool-perl"
    answer = subprocess.run(
        [tool, "-j", "-G1", "-ImageDescription", "-XMP-dc:Description", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(answer.stdout)


def test_image_copies_in_the_zip_carry_the_caption_and_the_originals_are_untouched(studio, tmp_path):
    ids, originals = [], {}
    for seed, fmt in enumerate(FORMATS):
        data = noise_image(fmt, seed)
        ids.append(
            store_captioned_image(studio, data, fmt, f"Holiday photo {fmt}.img", f"A beach at dusk, shot {seed}")
        )
        originals[studio.media.path_for(hashlib.sha256(data).hexdigest(), ORIGINALS, EXTENSIONS[fmt])] = data
    buffer = io.BytesIO()
    count = export_captions_zip(studio, ids, buffer, BundleOptions(prefix="ohwx", embed_captions=True))
    assert count == 4
    with zipfile.ZipFile(buffer) as archive:
        archive.extractall(tmp_path / "out")
        images = [n for n in archive.namelist() if n.rsplit(".", 1)[1] in ("jpg", "png", "webp", "tif")]

    assert sorted(images) == [
        "Holiday-photo-JPEG.jpg",
        "Holiday-photo-PNG.png",
        "Holiday-photo-TIFF.tif",
        "Holiday-photo-WEBP.webp",
    ]
    found = {r["SourceFile"].rsplit("/", 1)[1]: r for r in exiftool_json(tmp_path / "out")}
    for seed, fmt in enumerate(FORMATS):
        record = found[f"Holiday-photo-{fmt}{EXTENSIONS[fmt]}"]
        expected = f"ohwx, A beach at dusk, shot {seed}"
        assert record["IFD0:ImageDescription"] == expected and record["XMP-dc:Description"] == expected
        assert (tmp_path / "out" / f"Holiday-photo-{fmt}.txt").read_text() == expected + "\n"
    for path, data in originals.items():
        assert path.read_bytes() == data  # the library's own files never change


def test_only_the_newest_chosen_caption_of_an_image_goes_out(studio):
    data = noise_image("PNG", 9)
    first = store_captioned_image(studio, data, "PNG", "cat.png", "A cat")
    newest = store_captioned_image(
        studio, data, "PNG", "cat.png", "A ginger cat asleep on a windowsill", style="detailed"
    )
    buffer = io.BytesIO()
    assert export_captions_zip(studio, [first, newest], buffer) == 1
    with zipfile.ZipFile(buffer) as archive:
        assert archive.read("cat.txt").decode() == "A ginger cat asleep on a windowsill\n"
        sidecar = json.loads(archive.read("cat.json"))
    assert (sidecar["caption_id"], sidecar["style"], sidecar["file_name"]) == (
        newest,
        "Detailed description",
        "cat.png",
    )


def test_metadata_csv_is_the_layout_dataset_loaders_read_and_cannot_run_as_a_formula(studio):
    ids = [
        store_captioned_image(studio, noise_image("JPEG", 1), "JPEG", "a.jpg", '=HYPERLINK("http://x")'),
        store_captioned_image(studio, noise_image("JPEG", 2), "JPEG", "b.jpg", "A plain caption, with a comma"),
    ]
    buffer = io.BytesIO()
    export_captions_zip(studio, ids, buffer, BundleOptions(template="{id}-{name}"))
    with zipfile.ZipFile(buffer) as archive:
        names = set(archive.namelist())
        rows = list(csv.DictReader(io.StringIO(archive.read("metadata.csv").decode("utf-8-sig"))))
        jsonl = [json.loads(line) for line in archive.read("metadata.jsonl").decode().splitlines()]

    assert list(rows[0])[:2] == ["file_name", "text"]
    assert [r["file_name"] for r in rows] == [f"{ids[0]}-a.jpg", f"{ids[1]}-b.jpg"]
    assert all(r["file_name"] in names for r in rows)
    assert rows[0]["text"].startswith("'=") and rows[1]["text"] == "A plain caption, with a comma"
    assert jsonl[0]["text"] == '=HYPERLINK("http://x")'  # JSON keeps the caption exactly


@pytest.mark.parametrize(
    ("template", "words"),
    [("{nope}-{name}", "has {nope}"), ("plain", "needs at least one of"), ("{name", "needs at least one of")],
)
def test_a_bad_naming_template_is_refused_with_a_sentence(studio, template, words):
    cid = store_captioned_image(studio, noise_image("PNG", 3), "PNG", "x.png", "words")
    with pytest.raises(StudioError, match=words.replace("{", r"\{").replace("}", r"\}")):
        export_captions_zip(studio, [cid], io.BytesIO(), BundleOptions(template=template))


def test_names_are_readable_and_never_escape_the_archive():
    assert readable_stem("../../etc/passwd") == "etc-passwd"
    assert readable_stem("Café au lait — morning.jpeg") == "Café-au-lait-morning"
    assert readable_stem("...") == "item"


def test_a_large_export_is_written_to_disk_with_flat_memory_and_progress(studio, tmp_path):
    chunk = np.random.default_rng(5).bytes(4 * 1024 * 1024)
    ids = []
    for n in range(12):  # 12 sets of 4 MB videos: 48 MB of media
        set_id = finished_set(studio, f"Shot number {n}", [f"{n:064x}"])
        studio.media.video_path(f"{n:064x}").write_bytes(chunk[n:] + chunk[:n])
        ids.append(set_id)
    seen: list[tuple[int, int | None]] = []
    tracemalloc.start()
    try:
        path, count = export_to_file(
            studio.home,
            "export.zip",
            lambda target: export_sets_zip(studio, ids, target, progress=lambda d, t: seen.append((d, t))),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert count == 12 and path.stat().st_size > 48 * 1024 * 1024
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB while writing a 48 MB export"
    assert seen == [(n, 12) for n in range(1, 13)]
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None


def test_a_failed_export_leaves_no_file_behind(studio):
    def broken(target):
        target.write(b"PK half a zip")
        raise StudioError("The disk is full.")

    with pytest.raises(StudioError):
        export_to_file(studio.home, "broken.zip", broken)
    assert list((studio.home / "exports").iterdir()) == []


def test_the_generations_csv_names_each_ready_file_as_the_export_zip_does(studio):
    from core.videos import library as videos

    first = finished_set(studio, "A kite over dunes", ["1" * 64, "2" * 64])
    second = finished_set(studio, "A kite over dunes", ["3" * 64])  # the same prompt: names still differ
    buffer = io.BytesIO()
    export_sets_zip(studio, [first, second], buffer)
    with zipfile.ZipFile(buffer) as archive:
        in_zip = sorted(n for n in archive.namelist() if n.endswith(".mp4"))
    data = videos.export_generations_csv(studio, videos.GenerationFilter()).decode("utf-8-sig")
    rows = {int(r["generation_id"]): r["files_in_zip"].split() for r in csv.DictReader(io.StringIO(data))}

    assert rows[first] == [f"set-{first:05d}-v1-A-kite-over-dunes.mp4", f"set-{first:05d}-v2-A-kite-over-dunes.mp4"]
    assert rows[second] == [f"set-{second:05d}-v1-A-kite-over-dunes.mp4"]
    assert sorted(rows[first] + rows[second]) == in_zip


HOSTILE_NAMES = [
    "../../etc/passwd.png",
    "..\\..\\windows\\system.ini.png",
    "🌅 sunset 🐈‍⬛.png",
    "قطة على السجادة.png",
    "same.png",
    "SAME.png",
    "same.png",
    "/absolute/path.png",
]


def test_hostile_names_stay_inside_the_archive_unique_and_loadable_as_a_dataset(studio, tmp_path):
    import pandas as pd

    ids = [
        store_captioned_image(studio, noise_image("PNG", 100 + n), "PNG", name, f"=caption {n}, with a comma")
        for n, name in enumerate(HOSTILE_NAMES)
    ]
    buffer = io.BytesIO()
    assert export_captions_zip(studio, ids, buffer) == len(HOSTILE_NAMES)
    with zipfile.ZipFile(buffer) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path / "out")
        txt = {n: archive.read(n).decode() for n in names if n.endswith(".txt")}
        sidecars = [json.loads(archive.read(n)) for n in names if n.endswith(".json")]
        jsonl = pd.read_json(io.BytesIO(archive.read("metadata.jsonl")), lines=True)
        table = pd.read_csv(io.BytesIO(archive.read("metadata.csv")), encoding="utf-8-sig", dtype=str)

    assert all(not n.startswith(("/", "\\")) and ".." not in n.split("/") and "\\" not in n for n in names)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(names)  # nothing landed outside
    images = [n for n in names if n.endswith(".png")]
    assert len(images) == len({n.lower() for n in images}) == len(HOSTILE_NAMES)
    # letters of any script stay readable; emoji and path parts do not become part of a name
    assert {"sunset.png", "قطة-على-السجادة.png", "etc-passwd.png", "absolute-path.png"} <= set(images)
    # one row per image, each file_name resolving inside the archive (the `datasets` imagefolder layout)
    assert len(jsonl) == len(table) == len(HOSTILE_NAMES)
    assert set(jsonl["file_name"]) == set(table["file_name"]) == set(images)
    # a formula-looking caption is neutralised in the CSV only; .txt, .json and .jsonl keep it exactly
    assert all(text.startswith("'=caption") for text in table["text"])
    assert all(text.startswith("=caption") for text in jsonl["text"])
    assert all(t.startswith("=caption") for t in txt.values()) and all(
        s["text"].startswith("=caption") for s in sidecars
    )


def test_a_two_thousand_item_export_streams_with_flat_memory(studio):
    data = noise_image("JPEG", 1, size=(48, 32))
    with studio.db.session() as session:  # 2,000 captioned images, written straight through db/
        from db import captions as caption_queries

        for n in range(2000):
            picture = data + n.to_bytes(4, "big")  # a distinct file each (JPEG readers ignore the tail)
            digest = hashlib.sha256(picture).hexdigest()
            studio.media.put(picture, ORIGINALS, ".jpg", digest)
            asset = caption_queries.add_asset(
                session, sha256=digest, display_name=f"frame {n}.jpg", format="JPEG", width=48, height=32, size=99
            )
            caption_queries.add_caption(
                session, asset, style="alt_text", prompt="", provider="offline", model="m", text=f"Frame {n}"
            )
        ids = list(range(1, 2001))
    tracemalloc.start()
    try:
        path, count = export_to_file(
            studio.home,
            "big.zip",
            lambda target: export_captions_zip(studio, ids, target, BundleOptions(embed_captions=True)),
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 2000
    with zipfile.ZipFile(path) as archive:
        assert len(archive.namelist()) == 2000 * 3 + 2
    assert peak < 24 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB for 2,000 items"
