"""Storage: the SQLite database (SQLAlchemy 2, migrated by Alembic) and the content-addressed media folder."""

from sqlalchemy.orm import Session

from db.engine import Database, open_database
from db.media import MediaStore

__all__ = ["Database", "MediaStore", "Session", "open_database"]
