"""The DocumentStore port's S3 adapter (minio client). Append-only by design: put and get, no delete."""

from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.objectlockconfig import YEARS, ObjectLockConfig

from services.documents.config import Config


def client(config: Config) -> Minio:
    return Minio(config.s3_endpoint, access_key=config.s3_access_key, secret_key=config.s3_secret_key,
                 secure=config.s3_secure)


def ensure_bucket(config: Config) -> None:
    """The bucket is created with Object Lock and a COMPLIANCE default retention, so that not even
    the service's own credentials can erase a document before the retention ends."""
    s3 = client(config)
    if not s3.bucket_exists(config.s3_bucket):
        s3.make_bucket(config.s3_bucket, object_lock=True)
        s3.set_object_lock_config(config.s3_bucket, ObjectLockConfig(COMPLIANCE, config.retention_years, YEARS))


def ping(config: Config) -> None:
    if not client(config).bucket_exists(config.s3_bucket):
        raise ConnectionError(f"bucket {config.s3_bucket} missing")
