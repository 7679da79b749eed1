from ecars_common import habilitations
from ecars_common.cli import main
from services.cpom.config import Config

main(Config(), handlers=lambda config: habilitations.event_handlers(config.schema))
