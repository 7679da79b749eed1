"""The CPOM's journal (GET /cpoms/<id>/journal, the authorities' — issue 18: the messages « shown in the history »):
who did what to the CPOM, when, newest first; each row named (`libelle`) and summed up (`resume`) in French here,
the one source of those words (the « Journal du CPOM » page shows them as they are)."""

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.french import french_date
from services.cpom import domain
from services.cpom.orm import audit_log

LIMIT = 500  # the newest rows shown (a CPOM's life is a few hundred changes)

ACTIONS = {
    "cpom.created": "Création du CPOM", "cpom.updated": "Modification de la fiche du CPOM",
    "cpom.status_changed": "Changement de statut", "cpom.status_change_refused": "Changement de statut refusé",
    "cpom.validation_changed": "Validation", "cpom.team_changed": "Équipe projet modifiée",
    "cpom.perimeter_changed": "Périmètre modifié", "cpom.avenant_added": "Avenant ajouté",
    "grille.imported": "Grille importée", "grille.axe_added": "Axe ajouté", "grille.objectif_added": "Objectif ajouté",
    "grille.objectif_changed": "Objectif modifié", "grille.indicateur_added": "Indicateur ajouté",
    "grille.indicateur_changed": "Indicateur modifié", "saisie.objectif_saved": "Saisie d'un objectif",
    "saisie.action_added": "Action ajoutée", "saisie.valeurs_saved": "Valeurs enregistrées",
    "remarque.added": "Remarque ajoutée", "transmission.sent": "Transmission des informations",
    "message.sent": "Message", "message.note": "Note privée",
}
TEAMS = {"referent": "référent", "co_referent": "co-référent", "autorites": "Equipe ARS et CD",
         "etablissement": "Equipe Etablissement"}
IMPORTED = {"axes": "axe", "objectifs": "objectif", "indicateurs": "indicateur"}


def counted(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def summary(action: str, details: dict) -> str:
    """The row's facts in a sentence (codes as the grid shows them, dates and phases in French)."""
    code = details.get("code")
    match action:
        case "cpom.created":
            return f"{details.get('nom', '')} (EJ {details.get('ej_finess', '')})"
        case "cpom.updated":
            before, after = details.get("before") or {}, details.get("after") or {}
            changed = sorted(key for key in after if before.get(key) != after.get(key))
            return f"Champs modifiés : {', '.join(changed)}" if changed else ""
        case "cpom.status_changed":
            return details.get("libelle", "") + (f" – motif : {details['motif']}" if details.get("motif") else "")
        case "cpom.status_change_refused":
            target = domain.PHASE_LABELS.get(details.get("vers"), details.get("vers") or "")
            reason = "rôle non autorisé" if details.get("raison") == "role" else details.get("raison") or ""
            return f"Vers « {target} » : {reason}"
        case "cpom.validation_changed":
            return f"{details.get('autorite', '').upper()} : {'validé' if details.get('valide') else 'non validé'}"
        case "cpom.team_changed":
            return ", ".join(TEAMS.get(team, team) for team in details.get("equipes") or [])
        case "cpom.perimeter_changed":
            return counted(len(details.get("etablissements") or []), "établissement")
        case "cpom.avenant_added":
            day = details.get("date")
            return f"Avenant n° {details.get('numero')}" + (f" du {french_date(day)}" if day else "")
        case "grille.imported":
            return ", ".join(counted(details[key], word) for key, word in IMPORTED.items() if details.get(key))
        case "saisie.action_added":
            return f"Objectif {code}, action n° {details.get('numero')}"
        case "saisie.valeurs_saved":
            return f"Indicateur {code} : {', '.join(details.get('etablissements') or [])}"
        case "transmission.sent":
            return (f"Transmission n° {details.get('version')}, "
                    f"{counted(details.get('changements') or 0, 'modification')}")
        case "grille.indicateur_added" | "grille.indicateur_changed":
            return f"Indicateur {code}"
        case "grille.axe_added":
            return f"Axe {code}"
    return f"Objectif {code}" if code else ""


def rows(session: Connection, cpom_id: str) -> list[dict]:
    found = session.execute(sa.select(audit_log).where(audit_log.c.cpom_id == cpom_id)
                            .order_by(audit_log.c.id.desc()).limit(LIMIT)).mappings()
    return [{"le": r["at"].isoformat(), "action": r["action"], "libelle": ACTIONS.get(r["action"], r["action"]),
             "resume": summary(r["action"], r["details"] or {}), "par": r["email"], "role": r["role"],
             "details": r["details"]} for r in found]
