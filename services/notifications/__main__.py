from ecars_common.cli import main
from services.notifications.bootstrap import event_handlers
from services.notifications.config import Config

main(Config(), handlers=event_handlers)
