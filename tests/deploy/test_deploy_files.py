"""Static checks of the deployment files (docker-compose.yml, deploy/Dockerfile, deploy/boot.sh).

No Docker engine is needed: the compose file is parsed with PyYAML, the Dockerfile is read as text and
boot.sh is run with stub `python` and `gunicorn` commands that only record how they were called."""

import json
import os
import re
import shlex
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from services.reporting.config import Config
from tests.support.deploy_files import (
    BOOT,
    COMPOSE,
    DOCKERFILE,
    OURS,
    ROOT,
    SERVICES,
    WORKERS,
    boot_runner,
    boot_services,
    compose_services,
    config_services,
    dockerfile_instructions,
    environment,
    final_stage,
    gunicorn_options,
    module_exists,
    our_containers,
    read_by_the_code,
)

DOCKERIGNORE = ROOT / "deploy" / "Dockerfile.dockerignore"
INFRA_IMAGES = {
    "postgres": "postgres:15",
    "rabbitmq": "rabbitmq:3.13-management",
    "minio": "minio/minio",
    "mailpit": "axllent/mailpit",
}
HEALTHY = {"condition": "service_healthy"}


# --- helpers -------------------------------------------------------------------------------------------


def healthcheck_command(spec: dict) -> list[str]:
    test = spec.get("healthcheck", {}).get("test")
    if isinstance(test, str):
        return ["CMD-SHELL", test]
    return list(test or [])


def python_one_liner(spec: dict) -> str | None:
    command = healthcheck_command(spec)
    if command[:3] == ["CMD", "python", "-c"]:
        return command[3]
    return None


# --- compose: which containers ----------------------------------------------------------------------


def test_service_list_matches_shared_config_and_boot_sh():
    assert tuple(config_services()) == SERVICES
    assert boot_services() == list(SERVICES)


def test_compose_has_our_thirteen_containers_and_the_infrastructure():
    assert set(our_containers()) == OURS
    assert set(compose_services()) == OURS | set(INFRA_IMAGES)


@pytest.mark.parametrize("name", sorted(OURS))
def test_our_containers_build_the_one_image_from_the_repository_root(name):
    spec = our_containers()[name]
    assert spec["build"]["context"] == "."
    assert (ROOT / spec["build"]["context"] / spec["build"]["dockerfile"]) == DOCKERFILE
    assert spec["image"] == "ecars:local"


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_a_web_and_a_worker_container(name):
    containers = our_containers()
    assert containers[name]["command"] == ["web", name]
    assert containers[f"{name}-worker"]["command"] == ["worker", name]


def test_gateway_runs_the_gateway_and_publishes_8080():
    gateway = our_containers()["gateway"]
    assert gateway["command"] == ["gateway"]
    assert "8080:8080" in [str(port) for port in gateway["ports"]]


def test_only_the_gateway_of_ours_publishes_ports():
    for name, spec in our_containers().items():
        if name != "gateway":
            assert "ports" not in spec, f"{name} should be reached through the gateway only"


# --- compose: health checks and start order ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(OURS | set(INFRA_IMAGES)))
def test_every_container_has_a_healthcheck(name):
    spec = compose_services()[name]
    command = healthcheck_command(spec)
    assert command, f"{name} has no healthcheck"
    assert command[0] in ("CMD", "CMD-SHELL"), f"{name}: healthcheck disabled or malformed: {command}"
    assert len(command) >= 2
    assert not spec["healthcheck"].get("disable", False)


@pytest.mark.parametrize("name,image", sorted(INFRA_IMAGES.items()))
def test_infrastructure_images(name, image):
    assert compose_services()[name]["image"].startswith(image)


def test_infrastructure_healthchecks_use_each_images_own_probe():
    services = compose_services()
    assert "pg_isready" in " ".join(healthcheck_command(services["postgres"]))
    assert healthcheck_command(services["rabbitmq"])[1:] == ["rabbitmq-diagnostics", "-q", "ping"]
    minio = " ".join(healthcheck_command(services["minio"]))
    assert "mc ready local" in minio or "/minio/health/live" in minio
    assert "readyz" in " ".join(healthcheck_command(services["mailpit"]))


def test_minio_serves_the_console_and_mailpit_its_ports():
    services = compose_services()
    command = services["minio"]["command"]
    command = command if isinstance(command, list) else shlex.split(command)
    assert command[:2] == ["server", "/data"]
    assert command[command.index("--console-address") + 1] == ":9001"
    assert {"8025:8025", "1025:1025"} <= {str(port) for port in services["mailpit"]["ports"]}


@pytest.mark.parametrize("name", SERVICES)
def test_web_healthcheck_asks_for_readiness_with_python(name):
    source = python_one_liner(our_containers()[name])
    assert source is not None, "the slim image has no curl: use a python one-liner"
    assert "http://127.0.0.1:8000/health/ready" in source
    compile(source, f"<{name} healthcheck>", "exec")


@pytest.mark.parametrize("name", WORKERS)
def test_worker_healthcheck_checks_the_worker_process(name):
    spec = our_containers()[name]
    source = python_one_liner(spec)
    if source is None:
        assert healthcheck_command(spec) == ["CMD-SHELL", "kill -0 1"]
    else:
        assert "/proc/1/cmdline" in source and "worker" in source
        compile(source, f"<{name} healthcheck>", "exec")


def test_gateway_healthcheck_probes_port_8080():
    source = python_one_liner(our_containers()["gateway"])
    assert source is not None
    assert re.search(r"http://127\.0\.0\.1:8080/health/(live|ready)", source)
    compile(source, "<gateway healthcheck>", "exec")


def test_no_healthcheck_of_ours_needs_curl_or_wget():
    for name, spec in our_containers().items():
        command = " ".join(healthcheck_command(spec))
        assert "curl" not in command and "wget" not in command, name


@pytest.mark.parametrize("name", [*SERVICES, *WORKERS])
def test_services_wait_for_a_healthy_database_and_broker(name):
    depends_on = our_containers()[name]["depends_on"]
    assert depends_on["postgres"] == HEALTHY
    assert depends_on["rabbitmq"] == HEALTHY


@pytest.mark.parametrize("name", SERVICES)
def test_workers_wait_for_their_web_container_to_have_migrated(name):
    assert our_containers()[f"{name}-worker"]["depends_on"][name] == HEALTHY


@pytest.mark.parametrize("name", ["documents", "documents-worker"])
def test_documents_waits_for_object_storage(name):
    assert our_containers()[name]["depends_on"]["minio"] == HEALTHY


@pytest.mark.parametrize("name", ["notifications", "notifications-worker"])
def test_notifications_waits_for_the_mail_server(name):
    assert our_containers()[name]["depends_on"]["mailpit"] == HEALTHY


def test_gateway_depends_on_all_six_healthy_web_services():
    depends_on = our_containers()["gateway"]["depends_on"]
    for name in SERVICES:
        assert depends_on.get(name) == HEALTHY, f"gateway does not wait for {name}"


def test_every_dependency_names_a_compose_service():
    services = compose_services()
    for name, spec in services.items():
        for dependency in spec.get("depends_on") or {}:
            assert dependency in services, f"{name} depends on unknown {dependency}"


# --- compose: environment -----------------------------------------------------------------------------


def ecars_variables_in_compose() -> set[str]:
    names = set()
    for spec in compose_services().values():
        names |= {key for key in environment(spec) if key.startswith("ECARS_")}
    names |= set(re.findall(r"\$\{?(ECARS_[A-Z0-9_]+)", COMPOSE.read_text(encoding="utf-8")))
    return names


def test_compose_sets_ecars_variables():
    # Guards the next test against passing on an empty set.
    assert {"ECARS_DATABASE_URL", "ECARS_AMQP_URL", "ECARS_AUTH_URL"} <= ecars_variables_in_compose()


def test_every_ecars_variable_in_compose_is_read_by_the_code():
    unread = sorted(name for name in ecars_variables_in_compose() if not read_by_the_code(name))
    assert not unread, f"set in docker-compose.yml but read by no Python code: {unread}"


@pytest.mark.parametrize("name", sorted(OURS))
def test_every_container_of_ours_gets_the_database_broker_and_service_urls(name):
    env = environment(our_containers()[name])
    assert {"ECARS_DATABASE_URL", "ECARS_AMQP_URL"} <= set(env)
    for service in SERVICES:
        assert env[f"ECARS_{service.upper()}_URL"] == f"http://{service}:8000"


def test_database_url_matches_the_postgres_container():
    postgres = environment(compose_services()["postgres"])
    for name, spec in our_containers().items():
        url = urlsplit(environment(spec)["ECARS_DATABASE_URL"])
        assert url.scheme == "postgresql+psycopg", name
        assert (url.hostname, url.port) == ("postgres", 5432), name
        assert url.username == postgres["POSTGRES_USER"], name
        assert url.password == postgres["POSTGRES_PASSWORD"], name
        assert url.path == "/" + postgres["POSTGRES_DB"], name


def test_amqp_url_matches_the_rabbitmq_container():
    rabbitmq = environment(compose_services()["rabbitmq"])
    for name, spec in our_containers().items():
        url = urlsplit(environment(spec)["ECARS_AMQP_URL"])
        assert url.scheme == "amqp", name
        assert (url.hostname, url.port) == ("rabbitmq", 5672), name
        # RabbitMQ's default guest account only logs in from localhost.
        assert url.username == rabbitmq["RABBITMQ_DEFAULT_USER"] != "guest", name
        assert url.password == rabbitmq["RABBITMQ_DEFAULT_PASS"], name


@pytest.mark.parametrize("name", ["documents", "documents-worker"])
def test_documents_reaches_minio_with_its_root_credentials(name):
    minio = environment(compose_services()["minio"])
    env = environment(our_containers()[name])
    assert env["ECARS_S3_ENDPOINT"] == "minio:9000"
    assert env["ECARS_S3_ACCESS_KEY"] == minio["MINIO_ROOT_USER"]
    assert env["ECARS_S3_SECRET_KEY"] == minio["MINIO_ROOT_PASSWORD"]
    assert env["ECARS_S3_SECURE"] == "false"
    assert env["ECARS_S3_BUCKET"]


@pytest.mark.parametrize("name", ["notifications", "notifications-worker"])
def test_notifications_sends_mail_through_mailpit(name):
    env = environment(our_containers()[name])
    assert env["ECARS_SMTP_HOST"] == "mailpit"
    assert env["ECARS_SMTP_PORT"] == "1025"


def test_storage_and_mail_settings_stay_with_the_services_that_use_them():
    for name, spec in our_containers().items():
        env = environment(spec)
        if not name.startswith("documents"):
            assert "ECARS_S3_SECRET_KEY" not in env, name
        if not name.startswith("notifications"):
            assert "ECARS_SMTP_HOST" not in env, name


# --- module paths named by the deployment files ---------------------------------------------------------


def referenced_modules() -> set[str]:
    """Python modules the compose file, boot.sh and the Dockerfile ask for, literally or through
    boot.sh's `web <service>` / `worker <service>` commands."""
    modules = set()
    for path in (COMPOSE, BOOT, DOCKERFILE):
        text = path.read_text(encoding="utf-8")
        modules |= set(re.findall(r"\b((?:services|gateway)\.[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)*)", text))
    boot = BOOT.read_text(encoding="utf-8")
    assert '"services.$1.wsgi:app"' in boot and "gateway.wsgi:app" in boot
    for name in boot_services():
        modules |= {f"services.{name}", f"services.{name}.wsgi"}
    for spec in our_containers().values():
        role, *rest = spec["command"]
        if role in ("web", "worker"):
            modules.add(f"services.{rest[0]}")
        if role == "web":
            modules.add(f"services.{rest[0]}.wsgi")
        if role == "gateway":
            modules.add("gateway.wsgi")
    return modules


def test_deployment_files_name_the_expected_modules():
    modules = referenced_modules()
    assert "gateway.wsgi" in modules
    assert {f"services.{name}.wsgi" for name in SERVICES} <= modules


@pytest.mark.parametrize("module", sorted({f"services.{name}" for name in SERVICES}))
def test_service_packages_run_with_python_dash_m(module):
    package = ROOT / Path(*module.split("."))
    assert (package / "__init__.py").is_file()
    assert (package / "__main__.py").is_file(), f"python -m {module} needs {module}/__main__.py"


def test_every_referenced_module_exists():
    missing = sorted(module for module in referenced_modules() if not module_exists(module))
    assert not missing, f"no such module (or a services package without __main__.py): {missing}"


def test_every_wsgi_module_exposes_app():
    wsgi_modules = sorted(module for module in referenced_modules() if module.endswith(".wsgi"))
    assert len(wsgi_modules) == len(SERVICES) + 1
    for module in wsgi_modules:
        path = (ROOT / Path(*module.split("."))).with_suffix(".py")
        assert path.is_file(), f"{path.relative_to(ROOT)} is missing"
        assert re.search(r"^app\s*=", path.read_text(encoding="utf-8"), re.MULTILINE), f"{module} has no app"


# --- Dockerfile ---------------------------------------------------------------------------------------


def copy_sources() -> list[str]:
    sources = []
    for instruction, args in dockerfile_instructions():
        if instruction != "COPY":
            continue
        words = shlex.split(args)
        if any(word.startswith("--from") for word in words):
            continue
        paths = [word for word in words if not word.startswith("--")]
        assert len(paths) >= 2, f"COPY {args}"
        sources += paths[:-1]
    return sources


def test_dockerfile_copies_what_the_image_needs():
    expected = {
        "requirements.lock",
        "package.json",
        "package-lock.json",
        "ecars_common",
        "services",
        "gateway",
        "events",
        "deploy",
    }
    assert expected <= set(copy_sources())


def test_every_file_the_dockerfile_copies_exists():
    missing = [source for source in copy_sources() if not (ROOT / source).exists()]
    assert not missing, f"COPY of missing paths: {missing}"


def test_dockerfile_builds_assets_with_node_and_runs_on_python_slim():
    instructions = dockerfile_instructions()
    froms = [args.split() for ins, args in instructions if ins == "FROM"]
    assert froms[-1][0] == "python:3.11-slim"
    node_stages = [words[2] for words in froms if words[0] == "node:20-slim" and len(words) == 3]
    assert node_stages, "no `FROM node:20-slim AS <stage>`"
    runs = " ; ".join(args for ins, args in instructions if ins == "RUN")
    assert "npm ci --omit=dev" in runs
    assert re.search(r"pip install\b[^;&]*-r requirements\.lock", runs)
    copies_from_node = [args for ins, args in final_stage() if ins == "COPY" and f"--from={node_stages[0]}" in args]
    assert any("node_modules" in args for args in copies_from_node)


def test_the_image_that_runs_reporting_installs_the_libreoffice_it_converts_receipts_with():
    """The reporting web and worker containers run the image of deploy/Dockerfile, which installs Debian's
    LibreOffice Writer (its `soffice`, the command services/reporting/pdf.py runs) before switching user; the
    Makefile installs the same package for the tests."""
    assert {"reporting", "reporting-worker"} <= set(our_containers())
    installs = [args for ins, args in final_stage() if ins == "RUN" and "apt-get install" in args]
    assert installs and "libreoffice-writer-nogui" in installs[0].split()
    assert "soffice --version" in installs[0]  # the build fails if the command is not there
    assert Config().soffice == "soffice"
    assert "libreoffice-writer-nogui" in (ROOT / "Makefile").read_text()


def test_dockerfile_runs_as_a_non_root_user():
    users = [args for ins, args in final_stage() if ins == "USER"]
    assert users, "the image runs as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0")
    last_user = max(i for i, (ins, _) in enumerate(final_stage()) if ins == "USER")
    assert all(ins != "RUN" for ins, _ in final_stage()[last_user:]), "RUN after USER: check it on purpose"


def test_dockerfile_entrypoint_is_boot_sh():
    final = final_stage()
    workdir = [args for ins, args in final if ins == "WORKDIR"][-1]
    entrypoints = [args for ins, args in final if ins == "ENTRYPOINT"]
    assert entrypoints
    assert entrypoints[-1] == f'["{workdir}/deploy/boot.sh"]'
    assert ("COPY", "deploy ./deploy") in final or ("COPY", f"deploy {workdir}/deploy") in final


def test_build_context_leaves_out_local_environments():
    ignored = DOCKERIGNORE.read_text(encoding="utf-8").split()
    assert {".venv", "node_modules", ".git"} <= set(ignored)


# --- boot.sh ------------------------------------------------------------------------------------------


def test_boot_sh_is_an_executable_posix_script():
    assert os.access(BOOT, os.X_OK), "deploy/boot.sh is not executable"
    assert BOOT.read_text(encoding="utf-8").startswith("#!/bin/sh\n")
    result = subprocess.run(["sh", "-n", str(BOOT)], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def run_boot(tmp_path):
    """Runs boot.sh with stub python and gunicorn; returns (exit code, the commands they were called with)."""
    return boot_runner(tmp_path)


@pytest.mark.parametrize("name", SERVICES)
def test_boot_web_migrates_then_serves_the_service(run_boot, name):
    code, calls = run_boot("web", name)
    assert code == 0
    assert calls[0] == ["python", "-m", f"services.{name}", "migrate"]
    assert len(calls) == 2
    options, target = gunicorn_options(calls[1])
    assert target == f"services.{name}.wsgi:app"
    assert options["--bind"] == "0.0.0.0:8000"
    assert options["--workers"] == "2"
    assert options["--threads"] == "4"
    assert options["--worker-class"] == "gthread"


def test_boot_web_reads_workers_and_threads_from_the_environment(run_boot):
    code, calls = run_boot("web", "auth", GUNICORN_WORKERS="5", GUNICORN_THREADS="8")
    assert code == 0
    options, _ = gunicorn_options(calls[-1])
    assert (options["--workers"], options["--threads"]) == ("5", "8")


def test_boot_web_does_not_serve_when_migrations_fail(run_boot):
    code, calls = run_boot("web", "contracts", STUB_PYTHON_RC="3")
    assert code != 0
    assert [call[0] for call in calls] == ["python"]


@pytest.mark.parametrize("name", SERVICES)
def test_boot_worker_runs_the_services_worker(run_boot, name):
    assert run_boot("worker", name) == (0, [["python", "-m", f"services.{name}", "worker"]])


@pytest.mark.parametrize("name", SERVICES)
def test_boot_migrate_applies_only_the_services_migrations(run_boot, name):
    assert run_boot("migrate", name) == (0, [["python", "-m", f"services.{name}", "migrate"]])


def test_boot_migrate_fails_when_the_migrations_fail(run_boot):
    code, calls = run_boot("migrate", "documents", STUB_PYTHON_RC="2")
    assert code == 2
    assert calls == [["python", "-m", "services.documents", "migrate"]]


def test_boot_gateway_migrates_its_sessions_table_then_serves_the_gateway_on_8080(run_boot):
    code, calls = run_boot("gateway")
    assert code == 0
    assert len(calls) == 2
    assert calls[0] == ["python", "-m", "gateway", "migrate"]
    options, target = gunicorn_options(calls[1])
    assert target == "gateway.wsgi:app"
    assert options["--bind"] == "0.0.0.0:8080"
    assert options["--worker-class"] == "gthread"


def test_boot_seed_seeds_every_service_auth_first(run_boot):
    code, calls = run_boot("seed")
    assert code == 0
    assert calls == [["python", "-m", f"services.{name}", "seed"] for name in SERVICES]
    assert calls[0][2] == "services.auth"


def test_boot_seed_stops_at_the_first_failure(run_boot):
    code, calls = run_boot("seed", STUB_PYTHON_RC="1")
    assert code != 0
    assert calls == [["python", "-m", "services.auth", "seed"]]


@pytest.mark.parametrize(
    "args",
    [(), ("bogus",), ("web",), ("web", "nope"), ("web", "auth", "extra"), ("worker", "../auth"), ("gateway", "x"),
     ("migrate",), ("migrate", "nope"), ("migrate", "auth", "contracts")],
)
def test_boot_refuses_bad_arguments_without_running_anything(run_boot, args):
    code, calls = run_boot(*args)
    assert code == 64
    assert calls == []


def test_prometheus_scrapes_every_service_and_grafana_plots_metrics_they_export():
    root = Path(__file__).resolve().parents[2]
    config = yaml.safe_load((root / "deploy/prometheus.yml").read_text())
    targets = {t for job in config["scrape_configs"] for group in job["static_configs"] for t in group["targets"]}
    for service in ("auth", "contracts", "cpom", "documents", "reporting", "notifications"):
        assert f"{service}:8000" in targets
    dashboard = json.loads((root / "deploy/grafana-dashboard.json").read_text())
    exprs = " ".join(t["expr"] for p in dashboard["panels"] for t in p["targets"])
    source = (root / "ecars_common/observability.py").read_text()
    for metric in ("http_requests_total", "http_request_duration_seconds"):
        assert metric in exprs and f'"{metric}"'.replace("_bucket", "") in source
