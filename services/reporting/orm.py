"""Tables of the reporting service, all in its own schema "reporting"."""

from ecars_common.db import service_metadata
from ecars_common.outbox import define_tables

metadata = service_metadata("reporting")
outbox, inbox = define_tables(metadata)
