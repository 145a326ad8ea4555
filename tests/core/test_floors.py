"""The floor rule is checked by import-linter: the real tree keeps it, an upward import breaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "bidding", "experts", "remote_eval", "config")
LINT = str(Path(sys.executable).with_name("lint-imports"))


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LINT, "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "static", "templates", "translations")
    for name in PACKAGES:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_tree_keeps_its_floors(tree: Path) -> None:
    result = _lint(tree)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "upward", "message"),
    [
        ("bidding/clocks.py", "import experts.models", "bidding is not allowed to import experts"),
        ("app/core/db.py", "import bidding.models", "app.core is not allowed to import bidding"),
        (
            "experts/draw.py",
            "import remote_eval.ws",
            "experts is not allowed to import remote_eval",
        ),
        ("bidding/models.py", "import app.portal", "bidding is not allowed to import app.portal"),
    ],
)
def test_an_upward_import_breaks_the_build(
    tree: Path, module: str, upward: str, message: str
) -> None:
    with (tree / module).open("a", encoding="utf-8") as fh:
        fh.write(f"\n{upward}  # noqa\n")
    result = _lint(tree)
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert message in result.stdout
