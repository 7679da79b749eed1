"""Tables of the contracts service, all in its own schema "contracts"."""

from ecars_common.db import service_metadata
from ecars_common.habilitations import define_table as define_habilitations
from ecars_common.outbox import define_tables

metadata = service_metadata("contracts")
outbox, inbox = define_tables(metadata)
habilitations = define_habilitations(metadata)
