"""No module of the platform is too long to live in (issue 14): a module over the limit is split by topic.
Alembic migrations and the OpenAPI documents (data written as code) aside."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 400
PACKAGES = ("gateway", "services", "ecars_common")


def platform_modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py")
                  if "migrations" not in path.parts and "openapi" not in path.stem)


def test_the_modules_are_found():
    names = {path.relative_to(ROOT).as_posix() for path in platform_modules()}
    assert "services/cpom/domain/finess.py" in names and "gateway/ui/session.py" in names
    assert not any("/migrations/" in name for name in names)


@pytest.mark.parametrize("path", platform_modules(), ids=lambda path: path.relative_to(ROOT).as_posix())
def test_no_module_is_over_the_limit(path: Path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= LIMIT, f"{path.relative_to(ROOT)}: {lines} lines (limit {LIMIT}): split it by topic"
