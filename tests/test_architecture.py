"""The layering ARCHITECTURE.md promises, checked on the source: pages → core → db / providers.

Each test reads the product's modules with ``ast`` (nothing is imported), so a new module that
breaks a rule fails here with its name and line, before a reviewer has to notice.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = [
    ROOT / "streamlit_app.py",
    *sorted(p for d in ("core", "db", "ui", "pages") for p in (ROOT / d).rglob("*.py")),
]
MAX_LINES = 400
SDKS = ("openai", "ibm_watsonx_ai", "av", "cv2", "onnxruntime", "onnx", "rapidocr_onnxruntime", "sqlalchemy", "alembic")


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imports(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, module, imported names) of every import in the file, nested ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.lineno, node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found.extend((node.lineno, a.name, []) for a in node.names)
    return found


def _is(module: str, *prefixes: str) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def test_no_product_module_is_longer_than_four_hundred_lines():
    long = [f"{_name(p)}: {n}" for p in PRODUCT if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert long == []


def test_no_module_imports_another_modules_private_names():
    leaks = [
        f"{_name(p)}:{line} imports {name} from {module}"
        for p in [*PRODUCT, *sorted((ROOT / "tests").rglob("*.py")), *sorted((ROOT / "bench").rglob("*.py"))]
        for line, module, names in _imports(p)
        for name in names
        if name.startswith("_") and not name.startswith("__") and not _is(module, "ibm_watsonx_ai", "streamlit")
    ]
    assert leaks == []


def test_only_db_speaks_sql():
    leaks = [
        f"{_name(p)}:{line} imports {module}"
        for p in PRODUCT
        if not _name(p).startswith("db/")
        for line, module, _names in _imports(p)
        if _is(module, "sqlalchemy", "alembic")
    ]
    assert leaks == []


def test_db_takes_nothing_from_core_but_its_vocabulary():
    leaks = [
        f"{_name(p)}:{line} imports {module}"
        for p in PRODUCT
        if _name(p).startswith("db/")
        for line, module, _names in _imports(p)
        if _is(module, "core", "ui", "pages") and module != "core.videos.kinds"
    ]
    assert leaks == []


@pytest.mark.parametrize("layer", ["pages", "ui"])
def test_pages_and_ui_reach_only_core_services(layer):
    """Never the database, an SDK, a codec helper or a back-end registry: only what core/ offers."""
    internals = ("core.videos.av", "core.videos.ops", "core.videos.backends", "core.captions.vision")
    leaks = [
        f"{_name(p)}:{line} imports {module}"
        for p in PRODUCT
        if _name(p).startswith(layer + "/")
        for line, module, _names in _imports(p)
        if _is(module, "db", *SDKS, *internals)
        or (_is(module, "core.captions.providers") and module != "core.captions.providers.base")
    ]
    assert leaks == []


def test_states_are_spelled_once_in_the_enums():
    literal = re.compile(r"\"(queued|completed|failed|in_progress)\"")
    spelled = [
        f"{_name(p)}:{n}: {line.strip()}"
        for p in PRODUCT
        if _name(p).startswith(("core/", "ui/", "pages/")) and _name(p) != "core/videos/kinds.py"
        for n, line in enumerate(p.read_text().splitlines(), start=1)
        if literal.search(line)
    ]
    assert spelled == []
