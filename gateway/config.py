import os
from dataclasses import dataclass, field
from pathlib import Path

from ecars_common.config import SERVICES, Settings, env

ROOT = Path(__file__).resolve().parent.parent
# The e-CARS channel found by its name among YouTube's channels: its address is not in the guides.
TUTORIALS_URL = "https://www.youtube.com/results?search_query=%22e-CARS%22&sp=EgIQAg%253D%253D"


@dataclass
class Config(Settings):
    service: str = "gateway"
    # Signs the web session cookie (CSRF token, tokens of the signed-in user). Local default only.
    secret_key: str = field(default_factory=lambda: env("ECARS_GATEWAY_SECRET", "local-dev-gateway-secret"))
    secure_cookies: bool = field(default_factory=lambda: env("ECARS_SECURE_COOKIES", "false") == "true")
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
