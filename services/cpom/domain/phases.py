"""The CPOM's phases, its compétence (ARS, CD, Conjointe) and the validations each requires."""





PHASES = (("preparation", "1 Préparation"), ("lancement", "2 Lancement"), ("diagnostic", "3 Diagnostic"),
          ("negociation", "4 Négociation"), ("signature", "5 Signature"), ("suivi", "6 Suivi"))
PHASE_LABELS = dict(PHASES)
PHASE_CODES = tuple(code for code, _ in PHASES)
COMPETENCES = ("ARS", "CD", "Conjointe")
AUTORITES = ("ARS", "CD")


def phase_rank(code: str) -> int:
    return PHASE_CODES.index(code) + 1


def required_validations(competence: str) -> tuple[str, ...]:
    """Who must validate the CPOM: the ARS, the CD, or both for a « Conjointe » CPOM."""
    return {"ARS": ("ARS",), "CD": ("CD",), "Conjointe": ("ARS", "CD")}[competence]


def competent_authorities(competence: str) -> tuple[str, ...]:
    return required_validations(competence)


def is_validated(competence: str, validation_ars: bool, validation_cd: bool) -> bool:
    given = {"ARS": validation_ars, "CD": validation_cd}
    return all(given[who] for who in required_validations(competence))


def transition_problem(current: str, target: str, validated: bool) -> str | None:
    """The phases are walked one step at a time: to the next one, or back to the previous one (to
    correct a mistake). « 5 Signature » needs the CPOM validated by every competent authority."""
    if target == current:
        return f"le CPOM est déjà en phase « {PHASE_LABELS[current]} »"
    step = phase_rank(target) - phase_rank(current)
    if step not in (1, -1):
        return (f"depuis « {PHASE_LABELS[current]} », le statut ne peut passer qu'à la phase suivante ou revenir à la "
                "précédente")
    if target == "signature" and step == 1 and not validated:
        return "le passage en « 5 Signature » demande la validation du CPOM par chaque autorité compétente"
    return None
