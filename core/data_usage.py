"""How much room the studio takes: the data folder's media, database and Trash (for the Settings page)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core import trash
from core.studio import Studio

DATABASE_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class DataUsage:
    home: Path
    media_bytes: int  # everything under media/ (the Trash's files are still there until purged)
    database_bytes: int | None  # None when the database is not a file here (a DATABASE_URL server)
    trash_items: int
    trash_label: str  # e.g. "3 items (2 sets, 1 caption)"

    @property
    def total_bytes(self) -> int:
        return self.media_bytes + (self.database_bytes or 0)


def folder_bytes(folder: Path) -> int:
    total = 0
    for path in folder.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink():
                total += path.stat().st_size
        except OSError:  # removed while we walked
            continue
    return total


def database_file(studio: Studio) -> Path | None:
    """The SQLite file behind the studio's database, or None for another kind of database."""
    url = studio.settings.get("DATABASE_URL") or f"sqlite:///{studio.home / 'studio.db'}"
    prefix = "sqlite:///"
    if not url.startswith(prefix) or ":memory:" in url:
        return None
    return Path(url[len(prefix) :].split("?", 1)[0])


def data_usage(studio: Studio) -> DataUsage:
    db_path = database_file(studio)
    db_bytes = None
    if db_path is not None:
        db_bytes = sum(p.stat().st_size for s in DATABASE_SUFFIXES if (p := Path(f"{db_path}{s}")).is_file())
    items = trash.trash_items(studio)
    kinds = {kind: sum(1 for i in items if i.kind == kind) for kind in trash.TrashKind}
    parts = [f"{n} {kind.value}{'' if n == 1 else 's'}" for kind, n in kinds.items() if n]
    label = f"{len(items)} item{'' if len(items) == 1 else 's'}" + (f" ({', '.join(parts)})" if parts else "")
    return DataUsage(studio.home, folder_bytes(studio.media.root), db_bytes, len(items), label)


def human_size(n: int) -> str:
    """``n`` bytes as "1.2 MB"."""
    size = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"
