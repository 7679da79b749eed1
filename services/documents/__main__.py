from ecars_common import habilitations
from ecars_common.cli import main
from services.documents import orphans
from services.documents.config import Config
from services.documents.storage import ensure_bucket

main(Config(), handlers=lambda config: habilitations.event_handlers(config.schema), prepare=ensure_bucket,
     jobs=lambda config: [orphans.job(config)],
     commands={**habilitations.commands(), "reconcile-objects": orphans.command})
