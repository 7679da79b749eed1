"""Tables of the documents service, all in its own schema "documents"."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, UUID

from ecars_common.db import service_metadata
from ecars_common.habilitations import define_table as define_habilitations
from ecars_common.outbox import define_tables

metadata = service_metadata("documents")
outbox, inbox = define_tables(metadata)
habilitations = define_habilitations(metadata)

# The folders of a CPOM's « Documents » section: default ones (with a `code`) made at first use, and
# sub-folders the authorities add. A sub-folder of a confidential folder is confidential.
folders = sa.Table(
    "folders",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True, server_default=sa.text("gen_random_uuid()")),
    sa.Column("cpom_id", sa.Text, nullable=False),
    sa.Column("parent_id", UUID(as_uuid=False), sa.ForeignKey("documents.folders.id")),
    sa.Column("code", sa.Text),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("confidential", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_by", UUID(as_uuid=False)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.UniqueConstraint("cpom_id", "code"),
    sa.UniqueConstraint("cpom_id", "parent_id", "name", postgresql_nulls_not_distinct=True),
)

# One row per document, written once (a trigger refuses UPDATE, DELETE and TRUNCATE). The owner is one
# of: an indicator of a contract, a CPOM folder, a region's documents de référence, a message of a thread.
documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", UUID(as_uuid=False), primary_key=True),
    sa.Column("owner_type", sa.Text, nullable=False),  # indicator | folder | reference | message
    sa.Column("contract_id", sa.Text),
    sa.Column("indicator_id", sa.Text),
    sa.Column("cpom_id", sa.Text),
    sa.Column("folder_id", UUID(as_uuid=False), sa.ForeignKey("documents.folders.id")),
    sa.Column("region", sa.Text),
    sa.Column("message_id", UUID(as_uuid=False)),  # of the contract's (contract_id) or CPOM's (cpom_id) « Messages »
    sa.Column("original_name", sa.Text, nullable=False),  # as the user named it, shown as is
    sa.Column("stored_name", sa.Text, nullable=False, unique=True),  # the S3 key, made of ids only
    sa.Column("bucket", sa.Text, nullable=False),
    sa.Column("version_id", sa.Text),  # the S3 object version (Object Lock buckets are versioned)
    sa.Column("extension", sa.Text, nullable=False),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("detected_type", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.Text, nullable=False),
    sa.Column("uploaded_by", UUID(as_uuid=False), nullable=False),
    sa.Column("uploaded_by_email", sa.Text, nullable=False, server_default=""),
    sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)

# S3 objects with no row above (the row's insert failed after the object was completed: Object Lock keeps the object),
# found by services/documents/orphans.py and listed for the support team; and the counts of each of its runs.
orphaned_objects = sa.Table(
    "orphaned_objects",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("bucket", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("last_modified", sa.DateTime(timezone=True), nullable=False),
    sa.Column("document_id", sa.Text),  # from the object's user metadata (storage.object_metadata)
    sa.Column("original_name", sa.Text),
    sa.Column("uploaded_by", sa.Text),
    sa.Column("owner", JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
    sa.Column("found_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
)
object_reconciliations = sa.Table(
    "object_reconciliations",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("checked", sa.Integer, nullable=False),
    sa.Column("found", sa.Integer, nullable=False),
    sa.Column("orphaned", sa.Integer, nullable=False),
)
