from ecars_common.cli import main
from services.reporting.config import Config

main(Config())
