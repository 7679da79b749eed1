"""A 3-node RabbitMQ cluster on loopback, from the machine's own `rabbitmq-server`, for the cluster tests: its own
node names (ecars<slot>-a@localhost…), AMQP and distribution ports, epmd (on its own port: the shared broker's
epmd on 4369 is never used nor touched), data, logs, config and an empty plugins file under a temp dir, and HOME
there with the shared .erlang.cookie (mode 600) so the nodes and rabbitmqctl agree.

Every process it starts is in a process group of its own, recorded in a pid file outside the temp dir; `down()`
SIGKILLs them all, and `up()` first sweeps whatever a previous run killed before its cleanup left (pytest itself
SIGKILLed), so no node outlives its test run."""

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SBIN = Path(os.path.realpath(shutil.which("rabbitmq-server") or "/usr/lib/rabbitmq/bin/rabbitmq-server")).parent
# Debian's /usr/sbin/rabbitmq-* wrapper switches to the rabbitmq user (dropping the environment) when run as
# root: call the scripts beside it directly.
SERVER, CTL = SBIN / "rabbitmq-server", SBIN / "rabbitmqctl"


@dataclass
class Node:
    name: str  # ecars6-a@localhost
    amqp_port: int
    dist_port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/"


class RabbitCluster:
    def __init__(self, base: Path, slot: int, size: int = 3):
        self.base = base
        first = 9172 + 1000 * slot  # 9172…9179 + 1000 × slot: below the test stack's services (9181…)
        self.epmd_port = first + 7
        self.nodes = [Node(f"ecars{slot}-{letter}@localhost", first + i, first + 3 + i, base / letter)
                      for i, letter in zip(range(size), "abc", strict=False)]
        self.pid_file = Path(tempfile.gettempdir()) / f"ecars-rabbit-cluster-slot{slot}.pids"
        self.epmd: subprocess.Popen | None = None

    @property
    def amqp_url(self) -> str:
        """ECARS_AMQP_URL for the platform: the three nodes, comma-separated."""
        return ",".join(node.url for node in self.nodes)

    def env(self, node: Node) -> dict:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(self.base), "LANG": "C.UTF-8",
            "RABBITMQ_CONF_ENV_FILE": str(self.base / "rabbitmq-env.conf"),  # not /etc/rabbitmq's
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.base / "enabled_plugins"),
            "RABBITMQ_NODENAME": node.name, "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(node.amqp_port), "RABBITMQ_DIST_PORT": str(node.dist_port),
            "RABBITMQ_MNESIA_BASE": str(node.directory / "mnesia"), "RABBITMQ_LOG_BASE": str(node.directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(node.directory / "rabbitmq.conf"),
            "ERL_EPMD_PORT": str(self.epmd_port), "ERL_EPMD_ADDRESS": "127.0.0.1",
            # one scheduler per node: three nodes on a 2-core machine shared with other suites
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "+S 1:1 -kernel inet_dist_use_interface {127,0,0,1}",
        }

    # ---- life cycle -------------------------------------------------------------------------------------------
    def up(self) -> None:
        self.sweep()
        for port in [self.epmd_port] + [p for node in self.nodes for p in (node.amqp_port, node.dist_port)]:
            if _listening(port):
                raise RuntimeError(f"port {port} is taken: another cluster test of this slot is running?")
        self.base.mkdir(parents=True, exist_ok=True)
        cookie = self.base / ".erlang.cookie"
        cookie.write_text(secrets.token_hex(20).upper())
        cookie.chmod(0o600)
        (self.base / "rabbitmq-env.conf").write_text("")
        (self.base / "enabled_plugins").write_text("[].\n")  # no management, no prometheus: no other port
        self.epmd = self._spawn(["epmd", "-port", str(self.epmd_port), "-address", "127.0.0.1"],
                                self.base / "epmd.out", {"PATH": os.environ.get("PATH", "")})
        for node in self.nodes:
            node.directory.mkdir(parents=True, exist_ok=True)
            (node.directory / "rabbitmq.conf").write_text(
                f"listeners.tcp.1 = 127.0.0.1:{node.amqp_port}\nloopback_users = none\n"
                "log.console = false\nlog.file.level = info\n")
            self.start(node, wait=False)
        for node in self.nodes:
            self.await_startup(node)
        first = self.nodes[0]
        for node in self.nodes[1:]:
            self.ctl(node, "stop_app")
            self.ctl(node, "join_cluster", first.name)
            self.ctl(node, "start_app")

    def start(self, node: Node, wait: bool = True) -> None:
        node.process = self._spawn([str(SERVER)], node.directory / "server.out", self.env(node))
        if wait:
            self.await_startup(node)

    def kill(self, node: Node) -> None:
        """kill -9 of the node's processes (beam.smp and its helpers: the whole process group)."""
        _killpg(node.process.pid)
        node.process.wait(timeout=30)

    def down(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                _killpg(node.process.pid)
        if self.epmd is not None:
            _killpg(self.epmd.pid)
        for process in [node.process for node in self.nodes] + [self.epmd]:
            if process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=30)
        self.pid_file.unlink(missing_ok=True)
        shutil.rmtree(self.base, ignore_errors=True)

    def sweep(self) -> None:
        """SIGKILL the process groups a previous run recorded and did not clean up."""
        if self.pid_file.exists():
            for line in self.pid_file.read_text().split():
                if _ours(int(line)):
                    _killpg(int(line))
            self.pid_file.unlink()

    def _spawn(self, command: list[str], output: Path, env: dict) -> subprocess.Popen:
        with open(output, "ab") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=self.base,
                                       start_new_session=True)
        with open(self.pid_file, "a") as pids:
            pids.write(f"{process.pid}\n")
        return process

    # ---- rabbitmqctl ------------------------------------------------------------------------------------------
    def ctl(self, node: Node, *args: str, timeout: float = 120) -> str:
        done = subprocess.run([str(CTL), "-q", "-n", node.name, *args], env=self.env(node), capture_output=True,
                              text=True, timeout=timeout, cwd=self.base)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {node.name}: {done.stdout}{done.stderr}")
        return done.stdout

    def await_startup(self, node: Node, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while True:
            if node.process.poll() is not None:
                raise RuntimeError(f"{node.name} exited: {(node.directory / 'server.out').read_text()[-2000:]}")
            try:
                self.ctl(node, "await_startup", "--timeout", "30", timeout=40)
                return
            except (RuntimeError, subprocess.TimeoutExpired):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def queue_members(self, queue: str, asking: Node) -> tuple[str, list[str]]:
        """(leader, online members) of the quorum queue `queue`, as the node `asking` sees them."""
        for line in self.ctl(asking, "list_queues", "--no-table-headers", "name", "leader", "online").splitlines():
            name, leader, online = (line.split("\t") + ["", ""])[:3]
            if name == queue:
                return leader, [member.strip() for member in online.strip("[]").split(",") if member.strip()]
        raise LookupError(f"no queue {queue} on {asking.name}")

    def node(self, name: str) -> Node:
        return next(node for node in self.nodes if node.name == name)


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _ours(pid: int) -> bool:
    """A recorded group leader still running is ours if it is epmd or a rabbitmq-server; one gone leaves its group's
    id unused by anything else (Linux reuses no pid that is still a process group's id), so it is ours too."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"rabbitmq" in command or b"epmd" in command


def _killpg(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
