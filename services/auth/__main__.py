from ecars_common.cli import main
from ecars_common.db import Database
from services.auth.config import Config
from services.auth.keys import ensure_signing_key
from services.auth.seed import seed

main(Config(), seed=seed, prepare=lambda config: ensure_signing_key(Database(config.database_url, config.schema)))
