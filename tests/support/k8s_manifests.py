"""deploy/k8s/'s kustomizations as the tests read them: rendered once (tests/support/kustomize.py), by kind
and name, with each container's environment as its ConfigMaps and Secrets give it."""

import functools

from tests.support.deploy_files import ROOT
from tests.support.kustomize import containers, render

K8S = ROOT / "deploy" / "k8s"
APP = "overlays/national"
INFRA = "overlays/infrastructure-example"
KUSTOMIZATIONS = ("base", APP, INFRA)


@functools.cache
def rendered(kustomization: str) -> tuple[dict, ...]:
    return tuple(render(K8S / kustomization))


def of_kind(kind: str, kustomization: str = APP) -> dict[str, dict]:
    return {obj["metadata"]["name"]: obj for obj in rendered(kustomization) if obj["kind"] == kind}


def deployments() -> dict[str, dict]:
    return of_kind("Deployment")


def config_maps() -> dict[str, dict]:
    return of_kind("ConfigMap")


def environment_of(container: dict) -> dict[str, object]:
    """Every variable a container gets: its ConfigMaps' keys (value) and its env (value, or its secretKeyRef)."""
    env = {}
    for source in container.get("envFrom", []):
        env.update(config_maps()[source["configMapRef"]["name"]]["data"])
    for item in container.get("env", []):
        env[item["name"]] = item["value"] if "value" in item else item["valueFrom"]["secretKeyRef"]
    return env


def every_container(kustomization: str = APP):
    for obj in rendered(kustomization):
        for container in containers(obj):
            yield obj, container
