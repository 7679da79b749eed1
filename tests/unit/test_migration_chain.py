"""Each service's Alembic revisions form one chain: numbers unique, each revising the one before, one head.
Two branches that each add « the next » migration give two files with the same number; Alembic then refuses to
migrate at start-up, so this fails first."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ROOT / "services"
VERSION_DIRS = sorted(SERVICES.glob("*/migrations/versions")) + [ROOT / "gateway" / "migrations" / "versions"]


def revisions(directory: Path) -> dict[str, str | None]:
    """{revision: down_revision} read from each revision file's module-level assignments."""
    found = {}
    for path in sorted(directory.glob("*.py")):
        values = {}
        for node in ast.parse(path.read_text()).body:
            target = node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None
            if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                values[target.id] = ast.literal_eval(node.value)
        assert "revision" in values, f"{path}: no revision"
        assert values["revision"] not in found, f"{path}: revision {values['revision']} is taken by another file"
        assert path.name.startswith(values["revision"]), f"{path}: named for another revision than its own"
        found[values["revision"]] = values.get("down_revision")
    return found


def test_every_service_has_migrations():
    assert {d.parts[-3] for d in VERSION_DIRS} >= {"auth", "contracts", "cpom", "documents", "notifications"}


@pytest.mark.parametrize("directory", VERSION_DIRS, ids=lambda d: d.parts[-3])
def test_revisions_form_one_chain_from_0001(directory):
    chain = revisions(directory)
    numbers = sorted(chain)
    assert numbers == [f"{n:04d}" for n in range(1, len(numbers) + 1)]
    assert chain[numbers[0]] is None
    for previous, current in zip(numbers, numbers[1:], strict=False):
        assert chain[current] == previous, f"{current} revises {chain[current]}, not {previous}"
