from ecars_common.cli import main
from services.auth.config import Config
from services.auth.seed import seed

main(Config(), seed=seed)
