"""Offline validation of Kubernetes objects: the built-in kinds against the schemas kubernetes-validate ships
(PyPI; strict: an unknown field is an error), the operators' kinds of deploy/k8s/overlays/infrastructure-example
against the part of their CRDs' schemas written below.

kubernetes-validate knows no custom resource. The schemas below cover every field those example manifests use,
with the types and enumerations of the operators' own CRDs (CloudNativePG 1.26 and its Barman Cloud plugin 0.5,
RabbitMQ Cluster Operator 2.x) and no other field (`additionalProperties: false`), so that a misspelt or
misplaced field fails here as it would be refused by the API server. A field they do not list is not wrong
for the operator: add it here from the operator's CRD when a manifest needs it."""

import jsonschema
import kubernetes_validate
from kubernetes_validate import utils
from referencing import Registry, Resource

OLDEST_KUBERNETES = "1.30"  # the oldest release the manifests are checked against; the newest shipped is the other


def _object(properties: dict, required: tuple = ()) -> dict:
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
QUANTITY = {"anyOf": [{"type": "string", "pattern": r"^[0-9.]+([KMGTPE]i?|m)?$"}, {"type": "integer"}]}
RESOURCES = _object({"requests": {"type": "object", "additionalProperties": QUANTITY},
                     "limits": {"type": "object", "additionalProperties": QUANTITY}})
SECRET_KEY = _object({"name": STRING, "key": STRING}, ("name", "key"))
DNS_NAME = {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "maxLength": 63}
METADATA = _object({"name": DNS_NAME, "namespace": DNS_NAME, "labels": {"type": "object"},
                    "annotations": {"type": "object"}}, ("name",))
# core/v1 Affinity is checked by kubernetes-validate's own definition (see validate()).
AFFINITY = {"$ref": "https://kubernetes.io/api/_definitions.json#/$defs/io.k8s.api.core.v1.Affinity"}


def _resource(api_version: str, kind: str, spec: dict) -> dict:
    return _object({"apiVersion": {"const": api_version}, "kind": {"const": kind}, "metadata": METADATA,
                    "spec": spec}, ("apiVersion", "kind", "metadata", "spec"))


CUSTOM = {
    ("postgresql.cnpg.io/v1", "Cluster"): _resource("postgresql.cnpg.io/v1", "Cluster", _object({
        "instances": {"type": "integer", "minimum": 1},
        "imageName": STRING,
        "primaryUpdateStrategy": {"enum": ["unsupervised", "supervised"]},
        "postgresql": _object({"parameters": {"type": "object", "additionalProperties": STRING}}),
        "bootstrap": _object({"initdb": _object({"database": STRING, "owner": STRING})}),
        "storage": _object({"size": QUANTITY, "storageClass": STRING}),
        "walStorage": _object({"size": QUANTITY, "storageClass": STRING}),
        "resources": RESOURCES,
        "affinity": _object({"enablePodAntiAffinity": BOOLEAN, "topologyKey": STRING,
                             "podAntiAffinityType": {"enum": ["preferred", "required"]}}),
        "plugins": {"type": "array", "items": _object({"name": STRING, "enabled": BOOLEAN, "isWALArchiver": BOOLEAN,
                                                        "parameters": {"type": "object",
                                                                       "additionalProperties": STRING}},
                                                       ("name",))},
    }, ("instances", "storage"))),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): _resource("postgresql.cnpg.io/v1", "ScheduledBackup", _object({
        # six fields, seconds first (robfig/cron)
        "schedule": {"type": "string", "pattern": r"^\S+( \S+){5}$"},
        "backupOwnerReference": {"enum": ["none", "self", "cluster"]},
        "cluster": _object({"name": STRING}, ("name",)),
        "method": {"enum": ["barmanObjectStore", "volumeSnapshot", "plugin"]},
        "pluginConfiguration": _object({"name": STRING, "parameters": {"type": "object"}}, ("name",)),
        "immediate": BOOLEAN,
    }, ("schedule", "cluster"))),
    ("barmancloud.cnpg.io/v1", "ObjectStore"): _resource("barmancloud.cnpg.io/v1", "ObjectStore", _object({
        "retentionPolicy": {"type": "string", "pattern": r"^[1-9][0-9]*[dwm]$"},
        "configuration": _object({
            "destinationPath": {"type": "string", "pattern": "^s3://"},
            "endpointURL": {"type": "string", "pattern": "^https?://"},
            "s3Credentials": _object({"accessKeyId": SECRET_KEY, "secretAccessKey": SECRET_KEY}),
            "wal": _object({"compression": {"enum": ["bzip2", "gzip", "lz4", "snappy", "xz", "zstd"]},
                            "maxParallel": INTEGER}),
            "data": _object({"compression": {"enum": ["bzip2", "gzip", "lz4", "snappy", "xz", "zstd"]},
                             "jobs": INTEGER}),
        }, ("destinationPath",)),
    }, ("configuration",))),
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): _resource("rabbitmq.com/v1beta1", "RabbitmqCluster", _object({
        "replicas": {"type": "integer", "minimum": 0},
        "image": STRING,
        "resources": RESOURCES,
        "persistence": _object({"storage": QUANTITY, "storageClassName": STRING}),
        "rabbitmq": _object({"additionalConfig": STRING, "additionalPlugins": {"type": "array", "items": STRING},
                             "advancedConfig": STRING, "envConfig": STRING}),
        "affinity": AFFINITY,
    })),
}


def is_custom(obj: dict) -> bool:
    return (obj["apiVersion"], obj["kind"]) in CUSTOM


def validate(obj: dict, version: str) -> None:
    """Raises jsonschema.ValidationError (kubernetes_validate.ValidationError for built-in kinds), or
    kubernetes_validate.SchemaNotFoundError for a kind known to neither."""
    if not is_custom(obj):
        kubernetes_validate.validate(obj, version, strict=True)
        return
    validator = jsonschema.Draft202012Validator(CUSTOM[(obj["apiVersion"], obj["kind"])],
                                                registry=_core_definitions(version))
    validator.validate(obj)


def _core_definitions(version: str) -> Registry:
    """kubernetes-validate's definitions (strict) of the release, for the core types a custom resource embeds."""
    shipped = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)][-1]
    definitions = utils.schema_contents(f"kubernetes-json-schema/v{shipped}-local-strict/_definitions.json", version)
    return Resource.from_contents(definitions) @ Registry()
