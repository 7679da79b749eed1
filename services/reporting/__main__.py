from ecars_common.cli import main
from services.reporting import receipts
from services.reporting.config import Config

main(Config(), handlers=receipts.event_handlers)
