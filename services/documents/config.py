from dataclasses import dataclass, field

from ecars_common.config import Settings, env, env_int

MB = 1024 * 1024


@dataclass
class Config(Settings):
    service: str = "documents"
    s3_endpoint: str = field(default_factory=lambda: env("ECARS_S3_ENDPOINT", "127.0.0.1:8333"))
    s3_access_key: str = field(default_factory=lambda: env("ECARS_S3_ACCESS_KEY", "ecars"))
    s3_secret_key: str = field(default_factory=lambda: env("ECARS_S3_SECRET_KEY", "ecars-local-secret"))
    s3_secure: bool = field(default_factory=lambda: env("ECARS_S3_SECURE", "false") == "true")
    s3_bucket: str = field(default_factory=lambda: env("ECARS_S3_BUCKET", "ecars-documents"))
    s3_region: str = field(default_factory=lambda: env("ECARS_S3_REGION", "us-east-1"))
    retention_years: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_RETENTION_YEARS", 10))
    # In days instead, when set (test stacks and benches: their buckets need not outlive them by ten years).
    retention_days: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_RETENTION_DAYS", 0))
    # Largest document accepted, in bytes; enforced while the upload streams in.
    max_bytes: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_MAX_BYTES", 50 * MB))
    # Zip archives and zip-based formats (OOXML, OpenDocument): limits against decompression bombs.
    zip_max_entries: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_ZIP_MAX_ENTRIES", 10_000))
    zip_max_uncompressed: int = field(
        default_factory=lambda: env_int("ECARS_DOCUMENTS_ZIP_MAX_UNCOMPRESSED", 1024 * MB))
    # Highest compression ratio of an entry (uncompressed / compressed) once it is over 1 MB uncompressed.
    zip_max_ratio: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_ZIP_MAX_RATIO", 200))
    # Where uploads are spooled while they arrive (the system's temporary directory by default).
    spool_dir: str | None = field(default_factory=lambda: env("ECARS_DOCUMENTS_SPOOL_DIR", "") or None)
    # Multipart uploads to S3: size of a part (S3's minimum is 5 MB) and how many go up at once. Parts are
    # streamed from the spool file, so neither changes the memory an upload takes.
    part_size: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_PART_SIZE", 10 * MB))
    parallel_parts: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_PARALLEL_PARTS", 3))
    # S3 objects without a metadata row (services/documents/orphans.py): how often the worker looks for them, and
    # how old an object must be to count (an upload still in progress is not an orphan).
    orphan_scan_seconds: float = field(
        default_factory=lambda: float(env("ECARS_DOCUMENTS_ORPHAN_SCAN_SECONDS", "3600")))
    orphan_grace_seconds: float = field(
        default_factory=lambda: float(env("ECARS_DOCUMENTS_ORPHAN_GRACE_SECONDS", "3600")))
    s3_connect_timeout: float = 3.0
    s3_read_timeout: float = 60.0
