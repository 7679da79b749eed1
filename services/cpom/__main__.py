from ecars_common.cli import main
from services.cpom.config import Config

main(Config())
