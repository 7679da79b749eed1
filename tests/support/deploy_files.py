"""What the deployment files' tests share (tests/deploy/): the repository's deployment files read without
importing the code (no sys.path needed), the names and modules they may refer to, and boot.sh run with stub
`python` and `gunicorn` commands that only record how they were called."""

import ast
import functools
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
BOOT = ROOT / "deploy" / "boot.sh"
CONFIG = ROOT / "ecars_common" / "config.py"
PYTHON_SOURCE_DIRS = ("ecars_common", "services", "gateway")

SERVICES = ("auth", "contracts", "cpom", "documents", "reporting", "notifications")
WORKERS = tuple(f"{name}-worker" for name in SERVICES)
OURS = {*SERVICES, *WORKERS, "gateway"}


# --- the code ----------------------------------------------------------------------------------------------


def config_services() -> tuple[str, ...]:
    """SERVICES of ecars_common/config.py, read without importing it."""
    for node in ast.parse(CONFIG.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["SERVICES"]:
            return tuple(ast.literal_eval(node.value))
    raise AssertionError("ecars_common/config.py defines no SERVICES")


@functools.cache
def python_source() -> str:
    """Every .py file of the code that runs in the image (not the tests)."""
    texts = []
    for directory in PYTHON_SOURCE_DIRS:
        for path in sorted((ROOT / directory).rglob("*.py")):
            texts.append(path.read_text(encoding="utf-8"))
    return "\n".join(texts)


def dynamic_settings() -> set[str]:
    """ECARS_* names the code builds at run time: ecars_common/config.py's service URLs."""
    if 'f"ECARS_{name.upper()}_URL"' in python_source():
        return {f"ECARS_{name.upper()}_URL" for name in config_services()}
    return set()


def read_by_the_code(name: str) -> bool:
    return name in dynamic_settings() or f'"{name}"' in python_source()


def settings_read_by_the_code() -> set[str]:
    """Every ECARS_* environment variable the code reads: the quoted names and the service URLs."""
    return set(re.findall(r'"(ECARS_[A-Z0-9_]+)"', python_source())) | dynamic_settings()


def module_exists(module: str) -> bool:
    """`module` is a file or a package of the repository, and a package of services/ runs with python -m."""
    path = ROOT / Path(*module.split("."))
    if path.with_suffix(".py").is_file():
        return True
    if not (path / "__init__.py").is_file():
        return False
    return not module.startswith("services.") or (path / "__main__.py").is_file()


# --- docker-compose.yml --------------------------------------------------------------------------------------


@functools.cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def compose_services() -> dict[str, dict]:
    return compose()["services"]


def our_containers() -> dict[str, dict]:
    """Containers built from deploy/Dockerfile."""
    return {
        name: spec
        for name, spec in compose_services().items()
        if isinstance(spec.get("build"), dict) and spec["build"].get("dockerfile") == "deploy/Dockerfile"
    }


def environment(spec: dict) -> dict[str, str]:
    env = spec.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


# --- deploy/Dockerfile ---------------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with line continuations joined and comments dropped."""
    logical, current = [], ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        logical.append(current)
        current = ""
    assert not current, "the Dockerfile ends inside a line continuation"
    pairs = []
    for line in logical:
        instruction, _, args = line.partition(" ")
        pairs.append((instruction.upper(), args.strip()))
    return pairs


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (ins, _) in enumerate(instructions) if ins == "FROM")
    return instructions[last_from:]


def image_user() -> tuple[int, int]:
    """The uid and gid the image runs as (its last USER, numeric)."""
    user = [args for ins, args in final_stage() if ins == "USER"][-1]
    uid, _, gid = user.partition(":")
    return int(uid), int(gid or uid)


# --- deploy/boot.sh ------------------------------------------------------------------------------------------


def boot_services() -> list[str]:
    match = re.search(r'^SERVICES="([^"]*)"', BOOT.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, 'boot.sh has no SERVICES="..." line'
    return match.group(1).split()


def boot_variables() -> set[str]:
    """The environment variables boot.sh reads (${NAME:-default})."""
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", BOOT.read_text(encoding="utf-8")))


STUB = """#!/bin/sh
echo "{name} $*" >> "$STUB_LOG"
exit "${{STUB_{upper}_RC:-0}}"
"""


def boot_runner(tmp_path: Path):
    """run(*args, **env) runs boot.sh with stub python and gunicorn; returns (exit code, the commands they
    were called with, each split in words)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("python", "gunicorn"):
        stub = bin_dir / name
        stub.write_text(STUB.format(name=name, upper=name.upper()))
        stub.chmod(0o755)
    log = tmp_path / "calls.log"

    def run(*args, **extra_env):
        log.write_text("")
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "STUB_LOG": str(log), **extra_env}
        result = subprocess.run([str(BOOT), *args], env=env, capture_output=True, text=True, timeout=10)
        return result.returncode, [line.split() for line in log.read_text().splitlines()]

    return run


def gunicorn_options(call: list[str]) -> tuple[dict[str, str], str]:
    """The --options and the WSGI target of a recorded gunicorn call."""
    assert call[0] == "gunicorn"
    options, args = {}, call[1:]
    *flags, target = args
    i = 0
    while i < len(flags):
        assert flags[i].startswith("--"), f"unexpected gunicorn argument {flags[i]}"
        options[flags[i]] = flags[i + 1]
        i += 2
    return options, target


def modules_of_call(call: list[str]) -> set[str]:
    """The Python modules a recorded call runs: `python -m <module> …` or gunicorn's `<module>:app`."""
    if call[0] == "python" and call[1] == "-m":
        return {call[2]}
    if call[0] == "gunicorn":
        return {gunicorn_options(call)[1].split(":")[0]}
    return set()
