"""A small renderer of the kustomizations in deploy/k8s/, for tests that must run where no kustomize binary is
installed (neither PyPI nor Debian ships one).

It does the part of kustomize those files use, and refuses any other field, so that a kustomization cannot
grow a feature it would silently skip:
- `resources`: YAML files (several documents each) and directories holding a kustomization.yaml, rendered
  first, in the order given;
- `patches` with a `path`: a strategic merge patch applied to the object of the patch's kind and name. Maps
  merge key by key; the lists named in MERGE_KEYS (containers, env, volumes, volumeMounts, ports) merge item
  by item on Kubernetes' merge key for them; any other list, and any scalar, is replaced (no `$patch`
  directives);
- `namespace`: set on every object except the cluster-scoped kinds listed below;
- `images`: `name` → `newName` and/or `newTag` in the pod templates' containers and init containers.

tests/deploy/test_k8s_manifests.py compares its output with `kubectl kustomize` where kubectl is installed."""

import copy
from pathlib import Path

import yaml

CLUSTER_SCOPED = {
    "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "PersistentVolume",
    "StorageClass", "IngressClass", "PriorityClass", "ClusterIssuer",
}
FIELDS = {"apiVersion", "kind", "resources", "patches", "namespace", "images"}


def load_documents(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as stream:
        return [document for document in yaml.safe_load_all(stream) if document]


def render(directory: Path) -> list[dict]:
    """The objects the kustomization in `directory` produces."""
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text(encoding="utf-8"))
    unknown = set(kustomization) - FIELDS
    if unknown:
        raise ValueError(f"{directory}/kustomization.yaml: fields this renderer does not do: {sorted(unknown)}")
    objects: list[dict] = []
    for entry in kustomization.get("resources", []):
        path = (directory / entry).resolve()
        objects += render(path) if path.is_dir() else load_documents(path)
    for patch in kustomization.get("patches", []):
        if set(patch) != {"path"}:
            raise ValueError(f"{directory}: only patches given by `path` are rendered, not {sorted(patch)}")
        for document in load_documents(directory / patch["path"]):
            apply_patch(objects, document, where=f"{directory / patch['path']}")
    if "namespace" in kustomization:
        for obj in objects:
            if obj["kind"] not in CLUSTER_SCOPED:
                obj.setdefault("metadata", {})["namespace"] = kustomization["namespace"]
    for image in kustomization.get("images", []):
        set_image(objects, image)
    return objects


def apply_patch(objects: list[dict], patch: dict, where: str) -> None:
    matches = [obj for obj in objects
               if obj["kind"] == patch["kind"] and obj["metadata"]["name"] == patch["metadata"]["name"]]
    if len(matches) != 1:
        raise ValueError(f"{where}: the patch of {patch['kind']}/{patch['metadata']['name']} "
                         f"matches {len(matches)} objects")
    merged = merge(matches[0], patch)
    matches[0].clear()
    matches[0].update(merged)


# The merge keys of Kubernetes' strategic merge patch for the lists these files may patch; other lists are replaced.
MERGE_KEYS = {"containers": "name", "initContainers": "name", "env": "name", "volumes": "name",
              "volumeMounts": "mountPath", "ports": ("containerPort", "port")}


def merge(target, patch, field: str = ""):
    if isinstance(target, dict) and isinstance(patch, dict):
        merged = dict(target)
        for key, value in patch.items():
            merged[key] = merge(target[key], value, key) if key in target else copy.deepcopy(value)
        return merged
    key = _merge_key(field, target, patch)
    if key is None:
        return copy.deepcopy(patch)
    merged = [dict(item) for item in target]
    for item in patch:
        same = [i for i, existing in enumerate(merged) if existing.get(key) == item[key]]
        if same:
            merged[same[0]] = merge(merged[same[0]], item)
        else:
            merged.append(copy.deepcopy(item))
    return merged


def _merge_key(field: str, target, patch) -> str | None:
    if not (isinstance(target, list) and isinstance(patch, list)) or field not in MERGE_KEYS:
        return None
    for key in (MERGE_KEYS[field] if isinstance(MERGE_KEYS[field], tuple) else (MERGE_KEYS[field],)):
        if all(isinstance(item, dict) and key in item for item in [*target, *patch]):
            return key
    return None


def pod_spec(obj: dict) -> dict | None:
    """The pod spec of a workload (Deployment, StatefulSet, Job, CronJob), or None."""
    spec = obj.get("spec", {})
    if obj["kind"] == "CronJob":
        spec = spec.get("jobTemplate", {}).get("spec", {})
    return spec.get("template", {}).get("spec")


def containers(obj: dict) -> list[dict]:
    spec = pod_spec(obj) or {}
    return [*spec.get("initContainers", []), *spec.get("containers", [])]


def set_image(objects: list[dict], image: dict) -> None:
    for obj in objects:
        for container in containers(obj):
            name, _, tag = container["image"].partition(":")
            if name != image["name"]:
                continue
            name = image.get("newName", name)
            tag = image.get("newTag", tag)
            container["image"] = f"{name}:{tag}" if tag else name
