from dataclasses import dataclass, field

from ecars_common.config import Settings, env, env_int


@dataclass
class Config(Settings):
    service: str = "notifications"
    smtp_host: str = field(default_factory=lambda: env("ECARS_SMTP_HOST", "127.0.0.1"))
    smtp_port: int = field(default_factory=lambda: env_int("ECARS_SMTP_PORT", 1025))
    smtp_timeout: float = 10.0
    mail_from: str = field(default_factory=lambda: env("ECARS_MAIL_FROM", "e-CARS <ne-pas-repondre@e-cars.fr>"))
    platform_url: str = field(default_factory=lambda: env("ECARS_PUBLIC_URL", "http://127.0.0.1:8080"))
