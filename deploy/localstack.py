"""The whole system on one machine: `make run` (and the end-to-end tests, on other ports).

Starts PostgreSQL and RabbitMQ if they are installed but stopped, SeaweedFS (`weed mini`) as S3 and
the mail sink as SMTP, creates the database, applies every service's migrations, loads the demo data,
then runs each service (gunicorn), its worker and the gateway until Ctrl-C, which stops all it started.
"""

import fcntl
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg

from ecars_common.config import SERVICES

ROOT = Path(__file__).resolve().parent.parent
S3_PORT = 8333
S3_ACCESS_KEY, S3_SECRET_KEY = "ecars", "ecars-local-secret"
SHARED_S3_DIR = Path(tempfile.gettempdir()) / "ecars-s3"


@dataclass
class Stack:
    state_dir: Path = ROOT / ".local"
    database: str = "ecars"
    gateway_port: int = 8080
    first_service_port: int = 8101
    smtp_port: int = 1025
    mail_web_port: int = 8025
    exchange: str = "ecars.events"
    queue_prefix: str = ""
    s3_bucket: str = "ecars-documents"
    gunicorn_workers: int = 2
    gunicorn_threads: int = 4
    shared_s3: bool = False
    extra_env: dict = field(default_factory=dict)
    processes: dict = field(default_factory=dict)

    @property
    def database_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:5432/{self.database}"

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    @property
    def mail_dir(self) -> Path:
        return self.state_dir / "mail"

    @property
    def log_dir(self) -> Path:
        return self.state_dir / "logs"

    def service_port(self, name: str) -> int:
        return self.first_service_port + SERVICES.index(name)

    def env(self) -> dict:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "ECARS_DATABASE_URL": self.database_url,
            "ECARS_AMQP_URL": "amqp://guest:guest@127.0.0.1:5672/",
            "ECARS_EXCHANGE": self.exchange,
            "ECARS_QUEUE_PREFIX": self.queue_prefix,
            "ECARS_SMTP_HOST": "127.0.0.1",
            "ECARS_SMTP_PORT": str(self.smtp_port),
            "ECARS_S3_ENDPOINT": f"127.0.0.1:{S3_PORT}",
            "ECARS_S3_ACCESS_KEY": S3_ACCESS_KEY,
            "ECARS_S3_SECRET_KEY": S3_SECRET_KEY,
            "ECARS_S3_BUCKET": self.s3_bucket,
            "ECARS_PUBLIC_URL": self.gateway_url,
            **{f"ECARS_{name.upper()}_URL": f"http://127.0.0.1:{self.service_port(name)}" for name in SERVICES},
        }
        env.update(self.extra_env)
        return env

    # -- infrastructure -------------------------------------------------------------------------
    def ensure_infrastructure(self) -> None:
        ensure_running("PostgreSQL", 5432, ["pg_ctlcluster", "--skip-systemctl-redirect", _pg_version(), "main",
                                             "start"])
        ensure_running("RabbitMQ", 5672, ["rabbitmq-server", "-detached"], timeout=90)
        self.ensure_database()
        self.ensure_s3()
        self.start_mail_sink()

    def ensure_database(self, fresh: bool = False) -> None:
        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
            if fresh:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.database,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{self.database}"')

    def ensure_s3(self) -> None:
        """One SeaweedFS serves every stack on the machine (each stack has its own bucket). A stack
        that starts it stops it when it stops, unless `shared_s3` (the tests), where it is left running
        like the machine's PostgreSQL, so that suites running side by side never pull it from each other."""
        with open(Path(tempfile.gettempdir()) / "ecars-s3.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # two stacks starting at once start one server
            if _s3_answers():
                return
            weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
            data = SHARED_S3_DIR if self.shared_s3 else self.state_dir / "s3"
            data.mkdir(parents=True, exist_ok=True)
            env = {**os.environ, "AWS_ACCESS_KEY_ID": S3_ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": S3_SECRET_KEY}
            command = [weed, "mini", f"-dir={data}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1"]
            if self.shared_s3:
                log = open(data / "weed.log", "ab")  # noqa: SIM115 (the server outlives this process)
                subprocess.Popen(command, env=env, cwd=data, stdout=log, stderr=subprocess.STDOUT,
                                 start_new_session=True)
            else:
                self.spawn("s3", command, env=env)
            wait_for(_s3_answers, "SeaweedFS S3", timeout=60)

    def start_mail_sink(self) -> None:
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.spawn("mailsink", [sys.executable, "-m", "deploy.mailsink", "--dir", str(self.mail_dir),
                                "--smtp-port", str(self.smtp_port), "--web-port", str(self.mail_web_port)])
        wait_for(lambda: port_open(self.smtp_port) and port_open(self.mail_web_port), "mail sink")

    # -- the system -----------------------------------------------------------------------------
    def migrate_and_seed(self) -> None:
        self.run_all("migrate")
        self.run_all("seed")

    def run_all(self, command: str) -> None:
        """`python -m services.<name> <command>` for every service at once (and `python -m gateway migrate`, its
        web sessions' table); stops at the first failure."""
        modules = {name: f"services.{name}" for name in SERVICES}
        if command == "migrate":
            modules["gateway"] = "gateway"
        running = {name: subprocess.Popen([sys.executable, "-m", module, command], env=self.env(),
                                          cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
                   for name, module in modules.items()}
        for name, process in running.items():
            output, _ = process.communicate(timeout=120)
            if process.returncode != 0:
                raise RuntimeError(f"{name} {command} failed:\n{output.decode(errors='replace')[-3000:]}")

    def start_services(self) -> None:
        for name in SERVICES:
            self.spawn(name, self.gunicorn(f"services.{name}.wsgi:app", self.service_port(name)))
            self.spawn(f"{name}-worker", [sys.executable, "-m", f"services.{name}", "worker"])
        self.spawn("gateway", self.gunicorn("gateway.wsgi:app", self.gateway_port))

    def gunicorn(self, target: str, port: int) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
                str(self.gunicorn_workers), "--worker-class", "gthread", "--threads", str(self.gunicorn_threads),
                "--graceful-timeout", "5", "--no-control-socket", target]

    def wait_until_ready(self, timeout: float = 90) -> None:
        def all_ready() -> bool:
            for name in SERVICES:
                try:
                    if httpx.get(f"{self.gateway_url}/api/{name}/health/ready", timeout=2).status_code != 200:
                        return False
                except httpx.HTTPError:
                    return False
            return True

        wait_for(all_ready, "every service ready through the gateway", timeout=timeout, check=self.check_alive)

    def up(self, fresh_database: bool = False) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.ensure_infrastructure()
        if fresh_database:
            self.ensure_database(fresh=True)
        self.migrate_and_seed()
        self.start_services()
        self.wait_until_ready()

    # -- processes ------------------------------------------------------------------------------
    def spawn(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 (kept open for the child's life)
        process = subprocess.Popen(command, env=env or self.env(), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        self.processes[name] = process
        return process

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                tail = (self.log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} exited with {process.returncode}:\n{tail}")

    def down(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        socket.create_connection((host, port), timeout=0.5).close()
        return True
    except OSError:
        return False


def wait_for(condition, what: str, timeout: float = 30, check=None) -> None:
    deadline = time.monotonic() + timeout
    delay = 0.05
    while time.monotonic() < deadline:
        if check is not None:
            check()
        if condition():
            return
        time.sleep(delay)
        delay = min(delay * 1.5, 1.0)
    raise TimeoutError(f"{what}: not ready after {timeout:.0f}s")


def ensure_running(what: str, port: int, start: list[str], timeout: float = 30) -> None:
    if port_open(port):
        return
    if shutil.which(start[0]) is None:
        sys.exit(f"{what} is not running on 127.0.0.1:{port} and is not installed ({start[0]} missing).")
    print(f"Starting {what}…", flush=True)
    subprocess.run(start, check=False)
    wait_for(lambda: port_open(port), what, timeout=timeout)


def _pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else ["15"]
    return versions[-1]


def _s3_answers() -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{S3_PORT}/", timeout=1).status_code in (200, 403)
    except httpx.HTTPError:
        return False


DEMO_LOGINS = """\
Comptes de démonstration :
  - demo.etablissement@e-cars.test   établissement (les trois EJ du guide) : première connexion par
                                     « Renouveler le mot de passe », le code arrive dans la boîte locale
  - demo.finances@e-cars.test        établissement, responsable financier de l'EJ 220006175 : renseigne les
                                     indicateurs à accès restreint PIL 04 et PIL 09, mot de passe Ecars-Demo-2026!
  - arsmedico2@e-cars.test           ARS Bretagne, mot de passe Ecars-Demo-2026!
  - support@e-cars.test              équipe support (/support/), mot de passe Ecars-Demo-2026!"""


def main() -> None:
    stack = Stack()
    stopping = False

    def _stop(*_):
        nonlocal stopping
        if not stopping:
            stopping = True
            raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        stack.up()
        print(f"\ne-CARS est prêt : {stack.gateway_url}\n"
              f"Courriels reçus (boîte locale) : http://127.0.0.1:{stack.mail_web_port}/\n"
              f"Journaux : {stack.log_dir}/\n\n{DEMO_LOGINS}\n\nCtrl-C pour tout arrêter.", flush=True)
        while True:
            stack.check_alive()
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nArrêt…", flush=True)
    finally:
        stack.down()


if __name__ == "__main__":
    main()
