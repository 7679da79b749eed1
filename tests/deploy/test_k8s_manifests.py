"""Static checks of the Kubernetes manifests (deploy/k8s/): rendered as kustomize renders them, every object
validated offline against the Kubernetes schemas (and the operators' kinds against tests/support/k8s_schemas.py),
and every command, probe path, port and setting they name found in the code, as test_deploy_files.py does for
docker-compose. No cluster is needed."""

import json
import shutil
import subprocess

import kubernetes_validate
import pytest
import yaml

from tests.support import k8s_schemas
from tests.support.deploy_files import (
    OURS,
    ROOT,
    SERVICES,
    boot_runner,
    boot_services,
    boot_variables,
    gunicorn_options,
    image_user,
    module_exists,
    modules_of_call,
    our_containers,
    python_source,
    read_by_the_code,
    settings_read_by_the_code,
)
from tests.support.k8s_manifests import (
    APP,
    INFRA,
    K8S,
    KUSTOMIZATIONS,
    config_maps,
    deployments,
    environment_of,
    every_container,
    of_kind,
    rendered,
)
from tests.support.kustomize import containers, pod_spec

VERSIONS = (k8s_schemas.OLDEST_KUBERNETES, kubernetes_validate.latest_version())
CREDENTIALS = {"ECARS_DATABASE_URL", "ECARS_AMQP_URL", "ECARS_S3_ACCESS_KEY", "ECARS_S3_SECRET_KEY",
               "ECARS_AUTH_CODE_SECRET", "ECARS_GATEWAY_SECRET", "ECARS_SERVICE_KEY"}
WEB_PORT = {"web": "0.0.0.0:8000", "gateway": "0.0.0.0:8080"}  # what boot.sh binds, checked below


# --- rendering and schemas -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_the_renderer_agrees_with_kubectl_kustomize(kustomization):
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed here: the renderer cannot be compared with kustomize")
    result = subprocess.run([kubectl, "kustomize", str(K8S / kustomization)], capture_output=True, text=True,
                            timeout=60, check=True)
    theirs = sorted(json.dumps(obj, sort_keys=True) for obj in yaml.safe_load_all(result.stdout) if obj)
    assert sorted(json.dumps(obj, sort_keys=True) for obj in rendered(kustomization)) == theirs


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kustomization", KUSTOMIZATIONS)
def test_every_object_validates_against_the_kubernetes_schemas(kustomization, version):
    errors = []
    for obj in rendered(kustomization):
        try:
            k8s_schemas.validate(obj, version)
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message}")
        except Exception as exc:  # the validation errors of jsonschema and kubernetes-validate
            path = ".".join(str(p) for p in getattr(exc, "absolute_path", []))
            errors.append(f"{obj['kind']}/{obj['metadata']['name']} at {path}: {getattr(exc, 'message', exc)}")
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("kustomization", [APP, INFRA])
def test_a_misspelt_field_is_refused(kustomization):
    # Guards the test above: the validation is strict for built-in kinds and the operators' alike.
    for obj in rendered(kustomization):
        if "spec" not in obj:
            continue
        wrong = json.loads(json.dumps(obj))
        wrong["spec"]["replica"] = 3
        with pytest.raises(Exception, match="replica"):
            k8s_schemas.validate(wrong, k8s_schemas.OLDEST_KUBERNETES)


def test_no_secret_value_is_in_the_repository():
    for kustomization in KUSTOMIZATIONS:
        assert not of_kind("Secret", kustomization), f"{kustomization} holds a Secret: reference it instead"
    for name, config_map in config_maps().items():
        for key in config_map["data"]:
            assert key not in CREDENTIALS, f"{key} is in ConfigMap {name}: it belongs in a Secret"
            assert "SECRET" not in key, f"{key} is in ConfigMap {name}: it belongs in a Secret"
    for obj, container in every_container():
        for name, value in environment_of(container).items():
            if name in CREDENTIALS:
                assert isinstance(value, dict), f"{obj['metadata']['name']}: {name} must come from a Secret"


# --- processes: one Deployment each, running what compose runs ------------------------------------------------


def test_a_deployment_per_process_of_docker_compose():
    assert set(deployments()) == OURS


@pytest.mark.parametrize("name", sorted(OURS))
def test_each_deployment_runs_the_command_of_its_compose_container(name):
    (container,) = pod_spec(deployments()[name])["containers"]
    assert container["args"] == our_containers()[name]["command"]


def test_every_container_of_ours_runs_the_one_image_of_the_version():
    images = {container["image"] for obj, container in every_container() if obj["kind"] in ("Deployment", "Job")}
    assert len(images) == 1, images
    assert images.pop().startswith("registry.example.fr/ecars/ecars:")


def test_every_command_runs_through_boot_sh_on_modules_that_exist(tmp_path):
    run = boot_runner(tmp_path)
    for obj, container in every_container():
        if obj["kind"] not in ("Deployment", "Job"):
            continue
        assert "command" not in container, f"{obj['metadata']['name']}: the image's entry point is boot.sh"
        env = {key: value for key, value in environment_of(container).items() if isinstance(value, str)}
        code, calls = run(*container["args"], **env)
        assert code == 0, f"boot.sh {' '.join(container['args'])} failed"
        modules = set().union(*map(modules_of_call, calls))
        assert modules, container["args"]
        missing = [module for module in modules if not module_exists(module)]
        assert not missing, f"{obj['metadata']['name']} runs modules that do not exist: {missing}"


def test_the_migration_job_migrates_every_service_with_its_own_database_url():
    (job,) = of_kind("Job").values()
    assert job["metadata"]["labels"]["app.kubernetes.io/component"] == "migration"
    jobs = pod_spec(job)["containers"]
    assert [c["args"] for c in jobs] == [["migrate", name] for name in boot_services()]
    for container in jobs:
        name = container["args"][1]
        assert environment_of(container)["ECARS_DATABASE_URL"] == {"name": "ecars-database", "key": name}
        web = pod_spec(deployments()[name])["containers"][0]
        assert {k: v for k, v in environment_of(web).items() if k.startswith("ECARS_")} == environment_of(container)


def test_only_boot_sh_variables_and_settings_of_the_code_are_set():
    for obj, container in every_container():
        for name in environment_of(container):
            if name.startswith("ECARS_"):
                assert read_by_the_code(name), f"{obj['metadata']['name']}: {name} is read by no code"
            else:
                assert name in boot_variables(), f"{obj['metadata']['name']}: {name} is read by neither"


def test_every_setting_the_code_reads_is_set_in_a_config_map_or_from_a_secret():
    given = set()
    for _, container in every_container():
        given |= set(environment_of(container))
    assert settings_read_by_the_code() - given == set()


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_gets_its_own_database_url_and_the_broker(name):
    for deployment in (name, f"{name}-worker"):
        env = environment_of(pod_spec(deployments()[deployment])["containers"][0])
        assert env["ECARS_DATABASE_URL"] == {"name": "ecars-database", "key": name}
        assert env["ECARS_AMQP_URL"] == {"name": "ecars-amqp", "key": "url"}


def test_settings_stay_with_the_processes_that_read_them():
    for name, deployment in deployments().items():
        env = environment_of(pod_spec(deployment)["containers"][0])
        service = name.removesuffix("-worker")
        if service != "documents":
            assert not {"ECARS_S3_SECRET_KEY", "ECARS_S3_ENDPOINT"} & set(env), name
        if service != "notifications":
            assert "ECARS_SMTP_HOST" not in env, name
        if service != "auth":
            assert "ECARS_AUTH_CODE_SECRET" not in env, name
        if service == "gateway":
            assert "ECARS_AMQP_URL" not in env, "the gateway uses no broker"
            assert env["ECARS_DATABASE_URL"] == {"name": "ecars-database", "key": "gateway"}  # its web sessions
            assert env["ECARS_GATEWAY_SECRET"] == {"name": "ecars-gateway", "key": "session-secret"}


# --- ports, probes, Services ---------------------------------------------------------------------------------


def web_deployments() -> dict[str, dict]:
    return {name: d for name, d in deployments().items() if not name.endswith("-worker")}


@pytest.mark.parametrize("name", sorted({*SERVICES, "gateway"}))
def test_the_container_port_is_where_boot_sh_serves(tmp_path, name):
    (container,) = pod_spec(deployments()[name])["containers"]
    (port,) = container["ports"]
    code, calls = boot_runner(tmp_path)(*container["args"])
    options, _ = gunicorn_options(calls[-1])
    assert code == 0 and port["name"] == "http"
    assert options["--bind"] == f"0.0.0.0:{port['containerPort']}" == WEB_PORT[container["args"][0]]
    env = environment_of(container)
    assert options["--workers"] == env["GUNICORN_WORKERS"] == container["resources"]["limits"]["cpu"]


@pytest.mark.parametrize("name", sorted({*SERVICES, "gateway"}))
def test_probes_ask_the_health_routes_on_the_serving_port(name):
    (container,) = pod_spec(deployments()[name])["containers"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert container["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    source = python_source()
    for path in ("/health/ready", "/health/live"):
        assert f'@bp.get("{path}")' in source
    assert "health_blueprint(" in (ROOT / "gateway/app.py").read_text()
    assert "health_blueprint(" in (ROOT / "ecars_common/app.py").read_text()


@pytest.mark.parametrize("name", sorted({*SERVICES, "gateway"}))
def test_a_service_reaches_each_web_deployment_where_the_others_call_it(name):
    deployment = deployments()[name]
    service = of_kind("Service")[name]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert deployment["spec"]["selector"]["matchLabels"] == service["spec"]["selector"]
    (port,) = service["spec"]["ports"]
    assert port["targetPort"] == "http"
    if name != "gateway":
        url = config_maps()["ecars-common"]["data"][f"ECARS_{name.upper()}_URL"]
        assert url == f"http://{name}:{port['port']}"


def test_the_ingress_serves_the_gateway_over_tls_on_the_public_url():
    (ingress,) = of_kind("Ingress").values()
    (rule,) = ingress["spec"]["rules"]
    (tls,) = ingress["spec"]["tls"]
    assert tls["hosts"] == [rule["host"]] and tls["secretName"]
    (path,) = rule["http"]["paths"]
    assert (path["path"], path["pathType"]) == ("/", "Prefix")
    assert path["backend"]["service"] == {"name": "gateway", "port": {"name": "http"}}
    notifications = config_maps()["ecars-notifications"]["data"]
    assert notifications["ECARS_PUBLIC_URL"] == f"https://{rule['host']}"
    assert rule["host"] in notifications["ECARS_MAIL_FROM"]
    assert config_maps()["ecars-gateway"]["data"]["ECARS_SECURE_COOKIES"] == "true"
    body = ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"]
    assert int(body.removesuffix("m")) * 1024 * 1024 > int(
        config_maps()["ecars-documents"]["data"]["ECARS_DOCUMENTS_MAX_BYTES"])


# --- resources, scaling, disruptions, pod security -----------------------------------------------------------


def test_every_container_requests_cpu_and_memory_and_memory_is_guaranteed():
    for obj, container in every_container():
        resources = container["resources"]
        assert {"cpu", "memory"} <= set(resources["requests"]), obj["metadata"]["name"]
        assert resources["limits"]["memory"] == resources["requests"]["memory"], obj["metadata"]["name"]


@pytest.mark.parametrize("name", sorted({*SERVICES, "gateway"}))
def test_web_processes_scale_on_cpu_and_keep_one_disruption_at_a_time(name):
    deployment = deployments()[name]
    autoscaler = of_kind("HorizontalPodAutoscaler")[name]
    assert autoscaler["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert 2 <= autoscaler["spec"]["minReplicas"] < autoscaler["spec"]["maxReplicas"]
    assert "replicas" not in deployment["spec"], "the autoscaler sets them; an apply would reset them"
    assert autoscaler["spec"]["metrics"][0]["resource"]["name"] == "cpu"


@pytest.mark.parametrize("name", sorted(OURS))
def test_a_disruption_budget_covers_each_deployment(name):
    deployment = deployments()[name]
    budget = of_kind("PodDisruptionBudget")[name]
    assert budget["spec"]["selector"] == deployment["spec"]["selector"]
    assert budget["spec"]["maxUnavailable"] == 1
    replicas = deployment["spec"].get("replicas") or of_kind("HorizontalPodAutoscaler")[name]["spec"]["minReplicas"]
    assert replicas >= 2, "with one replica, a drain would wait on the budget or take the process away"


def test_pods_meet_the_restricted_pod_security_standard_as_the_image_user():
    uid, gid = image_user()
    for obj in rendered(APP):
        spec = pod_spec(obj)
        if spec is None:
            continue
        context = spec["securityContext"]
        assert (context["runAsNonRoot"], context["runAsUser"], context["runAsGroup"]) == (True, uid, gid)
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for container in containers(obj):
            own = container["securityContext"]
            assert own["allowPrivilegeEscalation"] is False and own["capabilities"]["drop"] == ["ALL"]
            assert own["readOnlyRootFilesystem"] is True
            mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
            assert "/tmp" in mounts, "the system's temporary directory must be writable"
            spool = environment_of(container).get("ECARS_DOCUMENTS_SPOOL_DIR")
            assert not spool or spool in mounts, f"{obj['metadata']['name']}: the spool directory is read-only"
