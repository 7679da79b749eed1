from dataclasses import dataclass, field

from ecars_common.config import Settings, env, env_int


@dataclass
class Config(Settings):
    service: str = "documents"
    s3_endpoint: str = field(default_factory=lambda: env("ECARS_S3_ENDPOINT", "127.0.0.1:8333"))
    s3_access_key: str = field(default_factory=lambda: env("ECARS_S3_ACCESS_KEY", "ecars"))
    s3_secret_key: str = field(default_factory=lambda: env("ECARS_S3_SECRET_KEY", "ecars-local-secret"))
    s3_secure: bool = field(default_factory=lambda: env("ECARS_S3_SECURE", "false") == "true")
    s3_bucket: str = field(default_factory=lambda: env("ECARS_S3_BUCKET", "ecars-documents"))
    retention_years: int = field(default_factory=lambda: env_int("ECARS_DOCUMENTS_RETENTION_YEARS", 10))
