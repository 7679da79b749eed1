"""The documents' metadata and the CPOM folders: record a stored document (with its event), list, find,
and the folder tree of a CPOM (default folders made at first use). Each function takes the session of
the unit of work."""

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert

from ecars_common import outbox
from services.documents.domain import DEFAULT_FOLDERS, Owner
from services.documents.orm import documents, folders
from services.documents.upload import Stored


def public(row) -> dict:
    """A document as the API shows it (never the S3 key or version)."""
    owner = {k: row[k] for k in ("contract_id", "indicator_id", "cpom_id", "folder_id", "region", "message_id")
             if row[k]}
    return {
        "id": row["id"], "name": row["original_name"], "extension": row["extension"],
        "content_type": row["content_type"], "detected_type": row["detected_type"], "size": row["size"],
        "sha256": row["sha256"], "owner": {"type": row["owner_type"], **owner},
        "uploaded_by": {"user_id": row["uploaded_by"], "email": row["uploaded_by_email"]},
        "uploaded_at": row["uploaded_at"].isoformat(),
    }


def record(session: Connection, document_id: str, owner: Owner, key: str, bucket: str, stored: Stored,
           user_id: str, email: str) -> dict:
    """The metadata row and the `documents.document.added` event, in one transaction."""
    row = session.execute(documents.insert().values(
        id=document_id, **owner.columns(), original_name=stored.name, stored_name=key, bucket=bucket,
        version_id=stored.version_id, extension=stored.extension, content_type=stored.detected.content_type,
        detected_type=stored.detected.kind, size=stored.size, sha256=stored.sha256, uploaded_by=user_id,
        uploaded_by_email=email or "",
    ).returning(*documents.c)).mappings().one()
    outbox.publish(session, "documents.document.added", {
        "document_id": document_id, **owner.event_data(), "name": stored.name, "size": stored.size,
        "sha256": stored.sha256, "content_type": stored.detected.content_type, "uploaded_by": user_id,
        "uploaded_at": row["uploaded_at"].isoformat(),
    }, service="documents")
    return public(row)


def listing(session: Connection, owner: Owner) -> list[dict]:
    query = sa.select(documents).where(documents.c.owner_type == owner.type)
    if owner.type == "indicator":
        query = query.where(documents.c.contract_id == owner.contract_id,
                            documents.c.indicator_id == owner.indicator_id)
    elif owner.type == "folder":
        query = query.where(documents.c.cpom_id == owner.cpom_id, documents.c.folder_id == owner.folder_id)
    else:
        query = query.where(documents.c.region == owner.region)
    rows = session.execute(query.order_by(documents.c.uploaded_at.desc(), documents.c.original_name)).mappings()
    return [public(row) for row in rows]


def thread_listing(session: Connection, owner: Owner, message_ids: list[str]) -> list[dict]:
    """The attachments of the messages `message_ids` of one thread (`owner`: its contract_id or cpom_id), oldest
    first."""
    scope = (documents.c.contract_id == owner.contract_id if owner.contract_id else
             documents.c.cpom_id == owner.cpom_id)
    rows = session.execute(sa.select(documents).where(documents.c.owner_type == "message", scope,
                                                      documents.c.message_id.in_(message_ids))
                           .order_by(documents.c.uploaded_at, documents.c.original_name)).mappings()
    return [public(row) for row in rows]


def find(session: Connection, document_id: str):
    return session.execute(sa.select(documents).where(documents.c.id == document_id)).mappings().first()


# -- CPOM folders ----------------------------------------------------------------------------------

def ensure_default_folders(session: Connection, cpom_id: str) -> None:
    """« Documents contractuels », « Diagnostic », … « Documents confidentiels »: made at the CPOM's first use
    (concurrent first uses make them once: (cpom_id, code) is unique)."""
    exists = session.execute(sa.select(folders.c.id).where(folders.c.cpom_id == cpom_id,
                                                           folders.c.code.is_not(None)).limit(1)).first()
    if exists:
        return
    session.execute(insert(folders).values([
        {"cpom_id": cpom_id, "code": code, "name": name, "confidential": confidential, "position": position}
        for position, (code, name, confidential) in enumerate(DEFAULT_FOLDERS)
    ]).on_conflict_do_nothing())


def find_folder(session: Connection, cpom_id: str, folder_id: str):
    return session.execute(sa.select(folders).where(folders.c.id == folder_id, folders.c.cpom_id == cpom_id)
                           ).mappings().first()


def folder_tree(session: Connection, cpom_id: str, with_confidential: bool) -> list[dict]:
    """The CPOM's folders as a tree, each with its number of documents; confidential folders (and what
    is under them) only `with_confidential`."""
    counts = dict(session.execute(
        sa.select(documents.c.folder_id, sa.func.count()).where(documents.c.cpom_id == cpom_id)
        .group_by(documents.c.folder_id)).all())
    rows = session.execute(sa.select(folders).where(folders.c.cpom_id == cpom_id)
                           .order_by(folders.c.position, folders.c.name)).mappings().all()
    nodes = {row["id"]: {"id": row["id"], "name": row["name"], "code": row["code"],
                         "confidential": row["confidential"], "documents": counts.get(row["id"], 0),
                         "children": []} for row in rows}
    roots = []
    for row in rows:
        node = nodes[row["id"]]
        parent = nodes.get(row["parent_id"]) if row["parent_id"] else None
        (parent["children"] if parent else roots).append(node)

    def visible(items):
        return [{**item, "children": visible(item["children"])} for item in items
                if with_confidential or not item["confidential"]]

    return visible(roots)


def add_folder(session: Connection, cpom_id: str, parent, name: str, user_id: str) -> dict | None:
    """A sub-folder (confidential if its parent is); None if the parent already has a folder of that name."""
    row = session.execute(insert(folders).values(
        cpom_id=cpom_id, parent_id=parent["id"] if parent else None, name=name,
        confidential=bool(parent and parent["confidential"]), position=100, created_by=user_id,
    ).on_conflict_do_nothing().returning(*folders.c)).mappings().first()
    if row is None:
        return None
    return {"id": row["id"], "name": row["name"], "code": row["code"], "confidential": row["confidential"],
            "parent_id": row["parent_id"], "documents": 0, "children": []}
