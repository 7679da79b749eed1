"""Reading the API's JSON bodies: every bad field is named (422 `validation_failed`, `details` = {field:
reason}), and the message repeats them in French so a page can show it as is."""

from ecars_common.errors import ApiError
from ecars_common.payload import text_into
from services.cpom import domain

MAX_NAME = 300
MAX_TEAM = 50


def invalid(details: dict, message: str | None = None) -> ApiError:
    if message is None:
        # a reason may be a sentence with its own full stop: one full stop at the end, never two
        message = "Les données envoyées ne sont pas valides : " + " ; ".join(
            f"« {label(name)} » : {str(reason).rstrip('.')}" for name, reason in details.items()) + "."
    return ApiError(422, "validation_failed", message, details)


def label(name: str) -> str:
    last = name.split(".")[-1]
    return domain.PLANNING_LABELS.get(last, FIELD_LABELS.get(last, name))


FIELD_LABELS = {
    "nom": "Nom du CPOM", "ej_finess": "EJ associé", "competence": "Compétence",
    "departements": "Départements concernés", "etablissements": "Etablissements", "statut": "Statut",
    "nom_complet": "Nom complet", "telephone": "Téléphone", "telephone_mobile": "Téléphone mobile",
    "courriel": "Courriel", "fonction": "Fonction", "date": "Date", "objet": "Objet", "texte": "Remarque",
    "actions": "Actions", "element_selectionne_og": "Élément sélectionné par l'OG", "valeurs": "Valeurs",
    "numerateur": "Numérateur", "denominateur": "Dénominateur", "valeur": "Valeur initiale",
    "libelle": "Libellé", "code": "Code", "type": "Type", "categorie": "Catégorie", "declinaison": "Déclinaison",
    "perimetre": "Périmètre d'application", "elements_og": "Éléments proposés à l'OG", "motif": "Motif",
    "autorite": "Autorité", "valide": "Validation",
}


def reject_unknown(data: dict, allowed) -> None:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise invalid({name: "champ inconnu" for name in unknown},
                      f"Champ(s) inconnu(s) : {', '.join(unknown)}. Champs acceptés : {', '.join(allowed)}.")


def text(data: dict, name: str, errors: dict, required: bool = True, max_length: int = MAX_NAME) -> str:
    """The text field `name` of a form (ecars_common.payload's text rule); its problem goes to `errors`."""
    return text_into(data.get(name), name, errors, required, max_length)


def choice(data: dict, name: str, errors: dict, choices) -> str:
    value = data.get(name)
    if value not in choices:
        errors[name] = "valeurs possibles : " + ", ".join(choices)
        return ""
    return value


def departements(value, errors: dict) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(d, str) for d in value):
        errors["departements"] = "une liste non vide de codes de département (ex. [\"22\"]) est attendue"
        return []
    codes = [d.strip().upper() for d in value]
    unknown = [d for d in codes if d not in domain.DEPARTEMENTS]
    if unknown:
        errors["departements"] = "département(s) inconnu(s) : " + ", ".join(unknown)
    elif len(set(codes)) != len(codes):
        errors["departements"] = "un département est cité deux fois"
    return codes


def finess_list(value, name: str, errors: dict) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(f, str) for f in value):
        errors[name] = "une liste de numéros FINESS est attendue"
        return []
    if len(set(value)) != len(value):
        errors[name] = "un établissement est cité deux fois"
    return list(dict.fromkeys(value))


def planning(value, errors: dict, prefix: str = "planning") -> dict:
    """The planning fields present in `value`, parsed (not yet checked for consistency)."""
    if not isinstance(value, dict):
        errors[prefix] = "un objet est attendu"
        return {}
    parsed = {}
    for name, raw in value.items():
        if name not in domain.PLANNING_LABELS:
            errors[f"{prefix}.{name}"] = "champ inconnu"
            continue
        parsed[name], problem = domain.parse_planning_value(name, raw)
        if problem:
            errors[f"{prefix}.{name}"] = problem
    return parsed


def member(value, where: str, errors: dict) -> dict | None:
    """A member of the Equipe Projet: nom_complet, fonction, telephone, telephone_mobile, courriel."""
    if not isinstance(value, dict):
        errors[where] = "un objet {nom_complet, fonction, telephone, telephone_mobile, courriel} est attendu"
        return None
    unknown = set(value) - {"nom_complet", "fonction", "telephone", "telephone_mobile", "courriel"}
    for name in sorted(unknown):
        errors[f"{where}.{name}"] = "champ inconnu"
    local: dict = {}
    item = {"nom_complet": text(value, "nom_complet", local, max_length=200),
            "fonction": text(value, "fonction", local, required=False, max_length=200)}
    for name in ("telephone", "telephone_mobile"):
        raw = text(value, name, local, required=False, max_length=30)
        item[name] = domain.normalise_phone(raw) if raw else ""
        if raw and item[name] is None:
            local[name] = "numéro de téléphone invalide (10 chiffres, ex. 0296272027)"
    email = text(value, "courriel", local, required=False, max_length=254).lower()
    if email and not domain.is_email(email):
        local["courriel"] = "adresse email invalide"
    item["courriel"] = email
    errors.update({f"{where}.{k}": v for k, v in local.items()})
    return item


TEAMS = ("referent", "co_referent", "autorites", "etablissement")


def team(value, errors: dict) -> dict:
    """{referent: member|null, co_referent: member|null, autorites: [member], etablissement: [member]}; only
    the keys present are returned (a key left out is left unchanged)."""
    if not isinstance(value, dict):
        errors["equipe"] = "un objet est attendu"
        return {}
    result = {}
    for name in sorted(set(value) - set(TEAMS)):
        errors[f"equipe.{name}"] = "champ inconnu (referent, co_referent, autorites, etablissement)"
    for name in ("referent", "co_referent"):
        if name in value:
            raw = value[name]
            result[name] = [] if raw is None else [m for m in [member(raw, f"equipe.{name}", errors)] if m]
    for name in ("autorites", "etablissement"):
        if name in value:
            raw = value[name]
            if not isinstance(raw, list) or len(raw) > MAX_TEAM:
                errors[f"equipe.{name}"] = f"une liste d'au plus {MAX_TEAM} personnes est attendue"
                continue
            result[name] = [m for i, item in enumerate(raw) if (m := member(item, f"equipe.{name}[{i}]", errors))]
    return result
