"""The Kubernetes deployment's outside: the example infrastructure is what the application's settings name,
every Secret the manifests reference is made by docs/operations.md's commands, and the commands that docs
gives for the migration Job select what they say. Rendered as in test_k8s_manifests.py."""

import re
import shlex

import pytest

from tests.support.deploy_files import ROOT
from tests.support.k8s_manifests import APP, INFRA, KUSTOMIZATIONS, config_maps, of_kind, rendered
from tests.support.kustomize import containers

OPERATIONS = ROOT / "docs" / "operations.md"


def infra(kind: str) -> dict[str, dict]:
    return of_kind(kind, INFRA)


def in_infra(host: str) -> str:
    """The name of the infrastructure Service `host` names (<service>.<namespace>.svc)."""
    name, namespace, *rest = host.split(".")
    assert rest == ["svc"] and namespace == "ecars-infra", host
    return name


def shell_commands() -> list[list[str]]:
    """The shell commands of docs/operations.md's ```sh blocks, continuation lines joined, split in words."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", OPERATIONS.read_text(encoding="utf-8"), re.DOTALL):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(shlex.split(line, comments=True))
    return commands


def documented_secrets() -> set[tuple[str, str, str]]:
    """(namespace, Secret, key) of every `kubectl create secret` in docs/operations.md."""
    made = set()
    for words in shell_commands():
        if words[:1] != ["kubectl"] or "create" not in words or "secret" not in words:
            continue
        namespace = words[words.index("-n") + 1]
        kind, name = words[words.index("secret") + 1:words.index("secret") + 3]
        if kind == "tls":
            made |= {(namespace, name, "tls.crt"), (namespace, name, "tls.key")}
        for word in words:
            if word.startswith("--from-literal="):
                made.add((namespace, name, word.removeprefix("--from-literal=").split("=", 1)[0]))
    return made


def referenced_secrets(kustomization: str) -> set[tuple[str, str, str]]:
    refs = set()
    for obj in rendered(kustomization):
        namespace = obj["metadata"]["namespace"]
        for container in containers(obj):
            for item in container.get("env", []):
                ref = item.get("valueFrom", {}).get("secretKeyRef")
                if ref:
                    refs.add((namespace, ref["name"], ref["key"]))
        credentials = obj.get("spec", {}).get("configuration", {}).get("s3Credentials", {})
        refs |= {(namespace, ref["name"], ref["key"]) for ref in credentials.values()}
        for tls in obj.get("spec", {}).get("tls", []) if obj["kind"] == "Ingress" else []:
            refs |= {(namespace, tls["secretName"], "tls.crt"), (namespace, tls["secretName"], "tls.key")}
    return refs


# --- what the settings name exists ---------------------------------------------------------------------------


def test_the_s3_endpoint_is_the_example_minio_service():
    documents = config_maps()["ecars-documents"]["data"]
    host, port = documents["ECARS_S3_ENDPOINT"].split(":")
    service = infra("Service")[in_infra(host)]
    assert int(port) in [p["port"] for p in service["spec"]["ports"]]
    assert service["spec"]["selector"] == infra("StatefulSet")["minio"]["spec"]["template"]["metadata"]["labels"]
    assert documents["ECARS_S3_SECURE"] == "false", "the example's MinIO speaks plain HTTP inside the cluster"


def test_minio_is_distributed_over_its_own_pods():
    minio = infra("StatefulSet")["minio"]
    replicas = minio["spec"]["replicas"]
    (container,) = minio["spec"]["template"]["spec"]["containers"]
    servers = container["args"][1]
    assert replicas >= 4, "erasure coding needs 4 drives or more"
    headless = minio["spec"]["serviceName"]
    assert servers == f"http://minio-{{0...{replicas - 1}}}.{headless}.ecars-infra.svc.cluster.local/data"
    assert infra("Service")[minio["spec"]["serviceName"]]["spec"]["clusterIP"] == "None"


def test_the_smtp_host_is_the_relays_service_name():
    notifications = config_maps()["ecars-notifications"]["data"]
    relay = infra("Service")[in_infra(notifications["ECARS_SMTP_HOST"])]
    assert relay["spec"]["type"] == "ExternalName" and relay["spec"]["externalName"]


def test_rabbitmq_is_a_three_node_cluster_whose_queues_are_quorum_queues():
    (cluster,) = infra("RabbitmqCluster").values()
    assert cluster["spec"]["replicas"] == 3
    assert "default_queue_type = quorum" in cluster["spec"]["rabbitmq"]["additionalConfig"].splitlines()
    major = int(cluster["spec"]["image"].split(":")[1].split(".")[0])
    assert major >= 4, "default_queue_type in rabbitmq.conf takes effect from RabbitMQ 4.0"
    assert any(words[-3:] == ["add_vhost", "ecars", "--default-queue-type"] or
               words[-4:] == ["add_vhost", "ecars", "--default-queue-type", "quorum"] for words in shell_commands())


def test_postgres_has_three_instances_archives_its_wal_and_backs_up_every_night():
    (cluster,) = infra("Cluster").values()
    (store,) = infra("ObjectStore").values()
    (backup,) = infra("ScheduledBackup").values()
    assert cluster["spec"]["instances"] == 3
    (plugin,) = cluster["spec"]["plugins"]
    assert plugin["isWALArchiver"] is True
    assert plugin["parameters"]["barmanObjectName"] == store["metadata"]["name"]
    assert backup["spec"]["cluster"]["name"] == cluster["metadata"]["name"]
    assert (backup["spec"]["method"], backup["spec"]["pluginConfiguration"]["name"]) == ("plugin", plugin["name"])
    assert cluster["spec"]["bootstrap"]["initdb"]["database"] == "ecars"


def test_documented_urls_name_the_example_services():
    text = OPERATIONS.read_text(encoding="utf-8")
    (cluster,) = infra("Cluster").values()
    (rabbitmq,) = infra("RabbitmqCluster").values()
    # the part after the credentials (which the commands compute) of each URL put in a Secret
    database = re.search(r'DB_URL="postgresql\+psycopg://[^\n]+@([^:@"]+):(\d+)/(\w+)"', text).groups()
    assert database == (f"{cluster['metadata']['name']}-rw.ecars-infra.svc", "5432", "ecars")
    amqp = re.search(r'url="amqp://[^\n]+@([^:@"]+):(\d+)/(\w+)"', text).groups()
    assert amqp == (f"{rabbitmq['metadata']['name']}.ecars-infra.svc", "5672", "ecars")


# --- Secrets: referenced, never stored, made by the documented commands --------------------------------------


@pytest.mark.parametrize("kustomization", [APP, INFRA])
def test_every_secret_the_manifests_read_is_made_by_docs_operations(kustomization):
    missing = referenced_secrets(kustomization) - documented_secrets()
    assert not missing, f"no command of docs/operations.md makes {sorted(missing)}"


def test_the_documented_secret_commands_make_nothing_unused():
    used = set().union(*(referenced_secrets(k) for k in (APP, INFRA)))
    assert documented_secrets() - used == set()


def test_no_kustomization_holds_a_secret():
    for kustomization in KUSTOMIZATIONS:
        assert not of_kind("Secret", kustomization)


def test_the_documented_migration_commands_select_the_job():
    (job,) = of_kind("Job").values()
    applies = [words for words in shell_commands()
               if words[:4] == ["kubectl", "-n", "ecars", "apply"] and "-l" in words]
    assert applies
    for words in applies:
        key, value = words[words.index("-l") + 1].split("=")
        assert job["metadata"]["labels"][key] == value
        selected = [obj for obj in rendered(APP) if obj["metadata"].get("labels", {}).get(key) == value]
        assert selected == [job]
    assert any(words[-3:-1] == ["--for=condition=complete", f"job/{job['metadata']['name']}"]
               for words in shell_commands())
