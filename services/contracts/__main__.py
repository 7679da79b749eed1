from ecars_common import habilitations
from ecars_common.cli import main
from services.contracts import attachments, calendar, contacts
from services.contracts.config import Config
from services.contracts.seed import seed

main(Config(), handlers=lambda config: contacts.event_handlers(config.schema) | attachments.event_handlers(),
     seed=seed, jobs=calendar.jobs, commands=habilitations.commands(contacts.RECONCILED))
