from ecars_common import habilitations
from ecars_common.cli import main
from services.contracts import attachments
from services.contracts.config import Config
from services.contracts.seed import seed

main(Config(), handlers=lambda config: habilitations.event_handlers(config.schema) | attachments.event_handlers(),
     seed=seed)
