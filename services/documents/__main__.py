from ecars_common.cli import main
from services.documents.config import Config
from services.documents.storage import ensure_bucket

main(Config(), prepare=ensure_bucket)
