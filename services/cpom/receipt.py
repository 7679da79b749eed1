"""The receipt of a transmission (« Accusé de transmission », docs/receipts.md), as the reporting service prints it:
who transmitted and when, the fill rate (100 %: a CPOM is transmitted only complete), the receipt hash — sha256
of the canonical JSON of the snapshot and of the folders' documents it carried — and every such document with its
sha256. The same dict goes in `cpom.information.transmitted` (for the emailed PDF) and is served at
GET /cpoms/<id>/transmissions/<version>/receipt (for the downloaded one)."""

import hashlib
import json


def digest(snapshot: dict, documents: list[dict]) -> str:
    canonical = json.dumps({"snapshot": snapshot, "documents": documents}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def document_of(transmission) -> dict:
    """From a `transmissions` row (or the values it was inserted with)."""
    cpom = transmission["snapshot"]["cpom"]
    return {
        "kind": "cpom", "cpom_id": cpom["id"], "version": transmission["version"], "name": cpom["nom"],
        "ej": cpom["ej"], "context": f"Transmission n° {transmission['version']}",
        "by": transmission["transmitted_by_email"], "at": transmission["transmitted_at"].isoformat(),
        "fill_percentage": 100, "hash": transmission["receipt_hash"], "attachments": transmission["documents"],
    }


def contacts_of(team: dict, transmitted_by: str) -> list[str]:
    """The EJ's contacts for a CPOM: its « Equipe Etablissement » with an email, and who transmitted."""
    emails = [person["courriel"] for person in team["etablissement"] if person["courriel"]]
    return sorted({email.lower() for email in [*emails, transmitted_by] if email})
