"""Who may reach which documents.

- indicator attachments: whoever the contracts service lets see the indicator (see `indicators`);
- CPOM folders (from the token and the local habilitations projection): a habilitation on the CPOM, or
  an authority (ARS, CD, admin); « Documents confidentiels » (and the folders under it) also needs
  « Visibilité documents confidentiels » on that habilitation (authorities see it);
- documents de référence: read by every signed-in user, added by the region's ARS or an admin;
- a message's attachments: whoever the owning service (contracts, cpom) lets read the message — a private note's
  for the authority only — added by the message's author.
A document fetched by id is checked against its owner the same way; when it may not be seen it is
« introuvable », whether or not it exists."""

from sqlalchemy import Connection

from ecars_common import habilitations, payload
from ecars_common.tokens import Identity
from services.documents import domain, metadata, permissions
from services.documents.domain import CONFIDENTIAL_MESSAGE, Refused

SCHEMA = "documents"


def grant(session: Connection, identity: Identity, scope_type: str, scope_id: str):
    return habilitations.grant_of(session, SCHEMA, identity.user_id, scope_type, scope_id)


def cpom(session: Connection, identity: Identity, cpom_id: str):
    """The caller's habilitation on the CPOM, or on its EJ (None for an authority without one); 403 without
    access. Without a habilitation on the CPOM itself, the cpom service decides who sees the CPOM (EJ
    interlocutors, the ARS of its region, the CD of its départements), and the EJ habilitation's flags apply."""
    found = grant(session, identity, "cpom", cpom_id)
    if found is not None:
        return found
    try:
        sheet = permissions.cpom_sheet(cpom_id)
    except Refused as refused:
        if refused.status == 503:
            raise
        raise Refused(403, "forbidden", "Vous n'avez pas accès aux documents de ce CPOM.", {"cpom_id": cpom_id})
    found = grant(session, identity, "ej", sheet["ej"]["finess"])
    if not domain.may_reach_scope(identity.role, found):
        raise Refused(403, "forbidden", "Vous n'avez pas accès aux documents de ce CPOM.", {"cpom_id": cpom_id})
    return found


def sees_confidential(identity: Identity, cpom_grant) -> bool:
    return domain.may_see_confidential(identity.role, cpom_grant)


def folder(session: Connection, identity: Identity, cpom_id: str, folder_id: str):
    """The folder, if the caller may use it: 404 if it is not one of this CPOM's, 403 for a confidential
    folder without the flag."""
    cpom_grant = cpom(session, identity, cpom_id)
    metadata.ensure_default_folders(session, cpom_id)
    found = metadata.find_folder(session, cpom_id, folder_id) if payload.is_uuid(folder_id) else None
    if found is None:
        raise Refused(404, "not_found", "Dossier introuvable.", {"folder_id": folder_id[:100]})
    if found["confidential"] and not sees_confidential(identity, cpom_grant):
        raise Refused(403, "confidential", CONFIDENTIAL_MESSAGE, {"folder_id": folder_id})
    return found


def add_reference(identity: Identity, region: str) -> None:
    if not domain.may_add_reference(identity.role, identity.region, region):
        raise Refused(403, "forbidden", "Seule l'ARS de la région peut ajouter des documents de référence.",
                      {"region": region})


def read_references(identity: Identity) -> None:
    if not domain.may_read_references(identity.role):
        raise Refused(403, "forbidden", "Accès refusé.")


def document(session: Connection, identity: Identity, document_id: str):
    """The document's row if the caller may see it; 404 otherwise (no hint that it exists)."""
    row = metadata.find(session, document_id) if payload.is_uuid(document_id) else None
    if row is None or not may_see(session, identity, row):
        raise Refused(404, "not_found", "Document introuvable.", {"document_id": document_id[:100]})
    return row


def may_see(session: Connection, identity: Identity, row) -> bool:
    if row["owner_type"] == "indicator":
        return permissions.visible(row["contract_id"], row["indicator_id"])
    if row["owner_type"] == "folder":
        try:
            cpom_grant = cpom(session, identity, row["cpom_id"])
        except Refused:
            return False
        folder_row = metadata.find_folder(session, row["cpom_id"], row["folder_id"])
        return folder_row is not None and (not folder_row["confidential"] or sees_confidential(identity, cpom_grant))
    if row["owner_type"] == "reference":
        return domain.may_read_references(identity.role)
    if row["owner_type"] == "message":
        scope, scope_id = ("contracts", row["contract_id"]) if row["contract_id"] else ("cpoms", row["cpom_id"])
        return permissions.message_visible(scope, scope_id, row["message_id"])
    return False
