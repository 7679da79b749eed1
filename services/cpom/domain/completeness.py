"""What the gestionnaire must fill in before « Transmettre les informations », and what changed between two
transmissions."""





def missing_items(objectifs: list[dict], cpom_ets: list[dict]) -> list[dict]:
    """What the gestionnaire must still fill in before transmitting. `objectifs`: as in the snapshot
    (code, libelle, perimetre, elements_og, element_selectionne_og, actions, indicateurs with valeurs)."""
    names = {et["finess"]: et["nom"] for et in cpom_ets}
    missing: list[dict] = []
    if not objectifs:
        return [{"type": "grille_vide", "message": "La grille des objectifs ne contient aucun objectif."}]
    for objectif in objectifs:
        ref = {"code": objectif["code"], "libelle": objectif["libelle"]}
        if not objectif["actions"]:
            missing.append({"type": "objectif_sans_action", "objectif": ref,
                            "message": f"Objectif {objectif['code']} : aucune action renseignée."})
        if objectif["elements_og"] and not objectif["element_selectionne_og"]:
            missing.append({"type": "element_og_manquant", "objectif": ref,
                            "message": f"Objectif {objectif['code']} : l'élément sélectionné par l'OG est à choisir."})
        ets = objectif_ets(objectif, cpom_ets)
        for indicateur in objectif["indicateurs"]:
            filled = {v["etablissement"] for v in indicateur["valeurs"]}
            ind = {"code": indicateur["code"], "libelle": indicateur["libelle"]}
            if indicateur["declinaison"] == "cpom":
                if None not in filled:
                    missing.append({"type": "valeur_manquante", "objectif": ref, "indicateur": ind,
                                    "etablissement": None,
                                    "message": f"Indicateur {indicateur['code']} : valeur initiale du CPOM manquante."})
                continue
            for finess in ets:
                if finess not in filled:
                    missing.append({"type": "valeur_manquante", "objectif": ref, "indicateur": ind,
                                    "etablissement": {"finess": finess, "nom": names.get(finess, "")},
                                    "message": f"Indicateur {indicateur['code']} : valeur initiale manquante pour "
                                               f"{finess} - {names.get(finess, '')}."})
    return missing


def objectif_ets(objectif: dict, cpom_ets: list[dict]) -> list[str]:
    """FINESS of the ETs an objective applies to, in the CPOM perimeter's order."""
    if objectif["perimetre"]["tous"]:
        return [et["finess"] for et in cpom_ets]
    chosen = set(objectif["perimetre"]["etablissements"])
    return [et["finess"] for et in cpom_ets if et["finess"] in chosen]


OBJECTIF_FIELDS = ("libelle", "description", "axe", "perimetre", "elements_og", "element_selectionne_og")
INDICATEUR_FIELDS = ("libelle", "type", "categorie", "declinaison", "indications")
VALUE_FIELDS = ("valeur", "numerateur", "denominateur", "taux")


def changes_between(before: dict, after: dict) -> list[dict]:
    """What changed from one transmitted snapshot to the next: objectives, actions, indicators, values and
    remarks added, changed or removed. Objectives and indicators are matched by code, actions by their
    number in the objective, values by (indicator, ET)."""
    changes: list[dict] = []

    def note(kind, change, label, old, new, **where):
        entry = {"kind": kind, "change": change, "objectif": None, "indicateur": None, "etablissement": None,
                 "action": None, **where, "libelle": label, "before": old, "after": new}
        changes.append(entry)

    word = {"added": "ajouté", "changed": "modifié", "removed": "supprimé"}
    old_objectifs = {o["code"]: o for o in before.get("objectifs", [])}
    new_objectifs = {o["code"]: o for o in after.get("objectifs", [])}
    for code in [*old_objectifs, *[c for c in new_objectifs if c not in old_objectifs]]:
        old, new = old_objectifs.get(code), new_objectifs.get(code)
        old_part = {k: old[k] for k in OBJECTIF_FIELDS} if old else None
        new_part = {k: new[k] for k in OBJECTIF_FIELDS} if new else None
        if old_part != new_part:
            change = "added" if old is None else "removed" if new is None else "changed"
            note("objectif", change, f"Objectif {code} {word[change]}", old_part, new_part, objectif=code)
        old_actions = {a["numero"]: a["libelle"] for a in (old or {}).get("actions", [])}
        new_actions = {a["numero"]: a["libelle"] for a in (new or {}).get("actions", [])}
        for numero in sorted(set(old_actions) | set(new_actions)):
            a, b = old_actions.get(numero), new_actions.get(numero)
            if a != b:
                change = "added" if a is None else "removed" if b is None else "changed"
                note("action", change, f"Action {numero} de l'objectif {code} {word[change]}e",
                     None if a is None else {"numero": numero, "libelle": a},
                     None if b is None else {"numero": numero, "libelle": b}, objectif=code, action=numero)
        old_indicateurs = {i["code"]: i for i in (old or {}).get("indicateurs", [])}
        new_indicateurs = {i["code"]: i for i in (new or {}).get("indicateurs", [])}
        for icode in [*old_indicateurs, *[c for c in new_indicateurs if c not in old_indicateurs]]:
            oi, ni = old_indicateurs.get(icode), new_indicateurs.get(icode)
            op = {k: oi[k] for k in INDICATEUR_FIELDS} if oi else None
            np = {k: ni[k] for k in INDICATEUR_FIELDS} if ni else None
            if op != np:
                change = "added" if oi is None else "removed" if ni is None else "changed"
                note("indicateur", change, f"Indicateur {icode} {word[change]}", op, np, objectif=code,
                     indicateur=icode)
            old_values = {v["etablissement"]: {k: v[k] for k in VALUE_FIELDS} for v in (oi or {}).get("valeurs", [])}
            new_values = {v["etablissement"]: {k: v[k] for k in VALUE_FIELDS} for v in (ni or {}).get("valeurs", [])}
            for et in [*old_values, *[e for e in new_values if e not in old_values]]:
                a, b = old_values.get(et), new_values.get(et)
                if a != b:
                    change = "added" if a is None else "removed" if b is None else "changed"
                    where = f" pour {et}" if et else " (CPOM)"
                    note("valeur", change, f"Valeur de l'indicateur {icode}{where} {word[change]}e", a, b,
                         objectif=code, indicateur=icode, etablissement=et)
    old_remarks = {r["id"] for r in before.get("remarques", [])}
    for remark in after.get("remarques", []):
        if remark["id"] not in old_remarks:
            note("remarque", "added", "Remarque ajoutée", None, {"texte": remark["texte"], "auteur": remark["auteur"]})
    return changes
