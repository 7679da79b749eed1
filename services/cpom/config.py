from dataclasses import dataclass, field

from ecars_common.config import Settings, env_int


@dataclass
class Config(Settings):
    service: str = "cpom"
    # The organisations CSV (POST /organisations/import): at most this many bytes and rows.
    import_max_bytes: int = field(default_factory=lambda: env_int("ECARS_CPOM_IMPORT_MAX_BYTES", 5 * 1024 * 1024))
    import_max_rows: int = field(default_factory=lambda: env_int("ECARS_CPOM_IMPORT_MAX_ROWS", 20000))
