import os
from dataclasses import dataclass, field
from pathlib import Path

from ecars_common.config import SERVICES, Settings, env, env_int

ROOT = Path(__file__).resolve().parent.parent
# The e-CARS channel found by its name among YouTube's channels: its address is not in the guides.
TUTORIALS_URL = "https://www.youtube.com/results?search_query=%22e-CARS%22&sp=EgIQAg%253D%253D"


@dataclass
class Config(Settings):
    service: str = "gateway"
    # Signs what Flask signs for the web UI (flash messages are kept in the server-side session, not signed
    # cookies; the key stays for Flask's own uses). Local default only.
    secret_key: str = field(default_factory=lambda: env("ECARS_GATEWAY_SECRET", "local-dev-gateway-secret"))
    # The site is served over TLS (behind an ingress or a proxy that ends it): the session cookie is `Secure` and
    # named `__Host-ecars_session`, and pages carry HSTS. Off only for plain http on a developer's machine.
    secure_cookies: bool = field(default_factory=lambda: env("ECARS_SECURE_COOKIES", "false") == "true")
    # The web session (gateway/web_sessions.py): ended after this many seconds without a page or « Prolonger la
    # session » (ASVS 5.0 7.3.1), and in any case this long after signing in (7.3.2).
    session_idle_seconds: int = field(default_factory=lambda: env_int("ECARS_SESSION_IDLE_SECONDS", 1800))
    session_absolute_seconds: int = field(default_factory=lambda: env_int("ECARS_SESSION_ABSOLUTE_SECONDS", 43200))
    # How many proxies in front of the gateway may set X-Forwarded-For (0: the gateway is the edge).
    trusted_proxies: int = field(default_factory=lambda: int(os.environ.get("ECARS_TRUSTED_PROXIES", "0")))
    connect_timeout: float = 2.0
    read_timeout: float = field(default_factory=lambda: float(os.environ.get("ECARS_GATEWAY_READ_TIMEOUT", "60")))
    dsfr_dist: Path = field(
        default_factory=lambda: Path(env("ECARS_DSFR_DIST", str(ROOT / "node_modules/@gouvfr/dsfr/dist")))
    )

    # « Documents de référence » links to the tutorials of guide 004: the videos of the « chaîne Youtube e-CARS ».
    tutorials_url: str = field(default_factory=lambda: env("ECARS_TUTORIALS_URL", TUTORIALS_URL))

    def upstreams(self) -> dict[str, str]:
        return {name: self.service_url(name) for name in SERVICES}
