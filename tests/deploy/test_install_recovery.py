"""`make install` (what `make run` and `make test` start with) recovers by itself from an interrupted install
(issue 20, defect 16): the project's Makefile, copied into a scratch directory with what an interruption
leaves there, is run for real (python -m venv, pip, npm ci), offline, with a one-line requirements file and an
empty package lock. The real .venv and node_modules are never touched. apt is run through stand-ins (dpkg,
dpkg-query, apt-get on PATH) that play a dpkg interrupted half-way: the machine's packages are not ours to
break."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = '{"name": "scratch", "version": "1.0.0", "private": true}\n'
LOCK = ('{"name": "scratch", "version": "1.0.0", "lockfileVersion": 3, "requires": true, '
        '"packages": {"": {"name": "scratch", "version": "1.0.0"}}}\n')
OFFLINE = ["REQUIREMENTS=requirements-tiny.txt", "PIP_OPTIONS=--no-index", "NPM_OPTIONS=--offline"]


@pytest.fixture()
def project(tmp_path) -> Path:
    """The Makefile in a scratch directory, with a tiny requirements file (pip itself: satisfied offline)."""
    shutil.copy(ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / "requirements-tiny.txt").write_text("pip\n")
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "package.json").write_text(PACKAGE)
    (tmp_path / "package-lock.json").write_text(LOCK)
    return tmp_path


def make(project: Path, *targets: str, env: dict | None = None) -> subprocess.CompletedProcess:
    assert project != ROOT and not str(project).startswith(str(ROOT))
    python = shutil.which("python3") or sys.executable
    return subprocess.run(["make", "-C", str(project), *targets, f"PYTHON={python}", *OFFLINE],
                          capture_output=True, text=True, timeout=300, env=env or {**os.environ})


def pip_works(project: Path) -> bool:
    return subprocess.run([str(project / ".venv" / "bin" / "python"), "-m", "pip", "--version"],
                          capture_output=True).returncode == 0


def test_a_venv_left_without_pip_is_made_again(project):
    """What a `make test` stopped while `python -m venv` ran leaves: a python without pip and no marker."""
    subprocess.run([shutil.which("python3") or sys.executable, "-m", "venv", "--without-pip",
                    str(project / ".venv")], check=True)
    assert not pip_works(project)
    done = make(project, "install")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "incomplete (an interrupted install?)" in done.stdout
    assert pip_works(project) and (project / ".venv" / ".installed").exists()
    assert not (project / ".venv" / ".installing").exists()
    again = make(project, "-q", "install")  # and then it is up to date: nothing is reinstalled
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_pip_install_cut_short_is_redone_in_a_fresh_venv(project):
    first = make(project, "install")
    assert first.returncode == 0, first.stdout + first.stderr
    leftover = project / ".venv" / "half-installed-package"
    leftover.write_text("")
    (project / ".venv" / ".installing").write_text("")  # the pip install was interrupted...
    (project / ".venv" / ".installed").unlink()  # ...so its marker was never written
    done = make(project, "install")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not leftover.exists() and pip_works(project) and (project / ".venv" / ".installed").exists()


def test_an_interrupted_npm_ci_is_redone_into_a_fresh_node_modules(project):
    first = make(project, "install")
    assert first.returncode == 0, first.stdout + first.stderr
    (project / "node_modules" / ".installed").unlink()  # npm ci stopped before its end...
    partial = project / "node_modules" / "@gouvfr" / "dsfr"
    partial.mkdir(parents=True)  # ...with a package half written
    done = make(project, "install")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not partial.exists() and (project / "node_modules" / ".installed").exists()


def test_a_symlinked_venv_that_is_broken_is_replaced_not_emptied(project, tmp_path_factory):
    """A git worktree links .venv to another checkout's: recovering removes the link, never what it points at."""
    elsewhere = tmp_path_factory.mktemp("other-checkout") / ".venv"
    elsewhere.mkdir()
    (elsewhere / "keep-me").write_text("")
    (project / ".venv").symlink_to(elsewhere)
    done = make(project, "install")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (elsewhere / "keep-me").exists() and not (project / ".venv").is_symlink() and pip_works(project)


STAND_INS = {
    # dpkg-query: the package is as the state file says (« install ok half-configured » after an interruption)
    "dpkg-query": 'cat "$STATE"\n',
    # dpkg --configure -a: finishes the interrupted install
    "dpkg": 'echo "dpkg $*" >> "$CALLS"\n[ "$*" = "--configure -a" ] && rm -f "$INTERRUPTED"\nexit 0\n',
    # apt-get refuses to install while dpkg was interrupted, as the real one does
    # and the first install fails if told to (a dropped connection)
    "apt-get": ('echo "apt-get $*" >> "$CALLS"\n'
                'case "$*" in *" install "*|*" install") '
                '[ -e "$FAIL_ONCE" ] && { rm -f "$FAIL_ONCE"; echo "E: Failed to fetch" >&2; exit 100; }\n'
                '  [ -e "$INTERRUPTED" ] && { echo "E: dpkg was interrupted, you must manually run '
                "'dpkg --configure -a' to correct the problem.\" >&2; exit 100; }\n"
                '  echo "install ok installed" > "$STATE";; esac\nexit 0\n'),
}


@pytest.mark.parametrize("first_install_fails", [False, True])
def test_an_interrupted_apt_install_is_finished_then_retried(project, tmp_path, first_install_fails):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in STAND_INS.items():
        (bin_dir / name).write_text("#!/bin/sh\n" + body)
        (bin_dir / name).chmod(0o755)
    state, calls, interrupted = tmp_path / "state", tmp_path / "calls", tmp_path / "interrupted"
    state.write_text("install ok half-configured")
    interrupted.write_text("")
    fail_once = tmp_path / "fail-once"
    if first_install_fails:
        fail_once.write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "STATE": str(state), "CALLS": str(calls),
           "INTERRUPTED": str(interrupted), "FAIL_ONCE": str(fail_once)}
    done = make(project, "install-system", "SYSTEM_PACKAGES=poppler-utils", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Installing from Debian: poppler-utils" in done.stdout  # half-configured does not count as installed
    log = calls.read_text().splitlines()
    assert log[0] == "dpkg --configure -a"
    installs = [line for line in log if line.endswith("install poppler-utils")]
    assert len(installs) == (2 if first_install_fails else 1), log
    if first_install_fails:
        assert "trying again" in done.stdout and any(line.endswith("-f install") for line in log)
    assert state.read_text().strip() == "install ok installed"
    assert make(project, "install-system", "SYSTEM_PACKAGES=poppler-utils", env=env).stdout.count("Installing") == 0
