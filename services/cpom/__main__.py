from ecars_common import habilitations
from ecars_common.cli import main
from services.cpom import contract_events, folder_documents
from services.cpom.backoffice_queue import prepare
from services.cpom.config import Config
from services.cpom.seed import seed

main(Config(), handlers=lambda config: habilitations.event_handlers(config.schema) | contract_events.event_handlers()
     | folder_documents.event_handlers(),
     seed=seed, prepare=prepare, commands=habilitations.commands())
