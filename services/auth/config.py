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
    # Password guessing (services/auth/throttle.py). From one address, an account's attempts wait after 5 failures
    # in a row, 1 s then doubling up to 1 h; from all addresses together, 50 failures in a row lock the account
    # (NIST SP 800-63B allows up to 100) and 20 within 15 min lock an address, for 15 min. Failures in a row are
    # forgotten after 24 h without one.
    throttle_free_failures: int = field(default_factory=lambda: env_int("ECARS_AUTH_THROTTLE_FREE_FAILURES", 5))
    throttle_max_delay_seconds: int = field(
        default_factory=lambda: env_int("ECARS_AUTH_THROTTLE_MAX_DELAY_SECONDS", 3600))
    account_max_failures: int = field(default_factory=lambda: env_int("ECARS_AUTH_ACCOUNT_MAX_FAILURES", 50))
    address_max_failures: int = field(default_factory=lambda: env_int("ECARS_AUTH_ADDRESS_MAX_FAILURES", 20))
    failure_memory_hours: int = 24
    failure_window_minutes: int = 15
    lock_minutes: int = field(default_factory=lambda: env_int("ECARS_AUTH_LOCK_MINUTES", 15))
    # A flood's refused attempts are audited as one row per account, address and window, with a count.
    audit_window_minutes: int = 15

    @property
    def revocation_keep_seconds(self) -> int:
        """How long a token revocation can still refuse a token: the access tokens' lifetime, plus the verifiers'
        leeway and a margin for clocks."""
        return self.access_token_seconds + 60
