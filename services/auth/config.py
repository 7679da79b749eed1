from dataclasses import dataclass, field

from ecars_common.config import Settings, env, env_int


@dataclass
class Config(Settings):
    service: str = "auth"
    # Pepper for verification-code hashes (HMAC-SHA256). Local default only; set it in production.
    code_secret: str = field(default_factory=lambda: env("ECARS_AUTH_CODE_SECRET", "local-dev-code-secret"))
    code_ttl_minutes: int = field(default_factory=lambda: env_int("ECARS_AUTH_CODE_TTL_MINUTES", 10))
    code_max_sends_per_hour: int = field(default_factory=lambda: env_int("ECARS_AUTH_CODE_SENDS_PER_HOUR", 5))
    code_max_attempts: int = 5
    reset_grant_minutes: int = 10
    access_token_seconds: int = field(default_factory=lambda: env_int("ECARS_AUTH_ACCESS_TOKEN_SECONDS", 900))
    refresh_token_days: int = field(default_factory=lambda: env_int("ECARS_AUTH_REFRESH_TOKEN_DAYS", 7))
    # Failed logins: an account locks after 5 failures within 15 min (NIST SP 800-63B allows up to
    # 100), a client address after 20; both for 15 min.
    account_max_failures: int = field(default_factory=lambda: env_int("ECARS_AUTH_ACCOUNT_MAX_FAILURES", 5))
    address_max_failures: int = field(default_factory=lambda: env_int("ECARS_AUTH_ADDRESS_MAX_FAILURES", 20))
    failure_window_minutes: int = 15
    lock_minutes: int = field(default_factory=lambda: env_int("ECARS_AUTH_LOCK_MINUTES", 15))
