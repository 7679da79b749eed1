from dataclasses import dataclass, field

from ecars_common.config import Settings, env, env_int


@dataclass
class Config(Settings):
    service: str = "auth"
    # Pepper for verification-code hashes (HMAC-SHA256). Local default only; set it in production.
    code_secret: str = field(default_factory=lambda: env("ECARS_AUTH_CODE_SECRET", "local-dev-code-secret"))
    code_ttl_minutes: int = field(default_factory=lambda: env_int("ECARS_AUTH_CODE_TTL_MINUTES", 10))
    code_max_sends_per_hour: int = field(default_factory=lambda: env_int("ECARS_AUTH_CODE_SENDS_PER_HOUR", 5))
