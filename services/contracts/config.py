from dataclasses import dataclass

from ecars_common.config import Settings


@dataclass
class Config(Settings):
    service: str = "contracts"
