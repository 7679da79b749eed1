from ecars_common.cli import main
from services.contracts.config import Config

main(Config())
