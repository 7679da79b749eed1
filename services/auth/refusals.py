"""The auth API's refusals of a password check, in one place for every route that asks for the current password
(« Mon compte »'s phone number and password, ending another device's session) and for the sign-in's waits."""

from ecars_common.errors import ApiError


def slowed(seconds: int) -> ApiError:
    return ApiError(429, "login_throttled", "Trop de tentatives infructueuses : par sécurité, patientez "
                                            f"{seconds} seconde(s) avant de réessayer.", {"retry_after": seconds})


def refuse_current_password(status: str, result) -> None:
    """The refusals of a current password asked before a change (account.check_current)."""
    if status == "slowed":
        raise slowed(result)
    if status == "locked":
        raise ApiError(429, "login_locked", "Trop de tentatives infructueuses : réessayez dans "
                                            f"{max(1, round(result / 60))} minute(s).", {"retry_after": result})
    if status == "wrong_current":
        raise ApiError(403, "wrong_current_password", "Le mot de passe actuel est incorrect.",
                       {"current_password": "incorrect"})


def current_password_of(data: dict) -> str:
    """The optional `current_password` of a JSON body ("" when absent), at most 1,000 characters kept."""
    current = data.get("current_password", "")
    if not isinstance(current, str):
        raise ApiError(422, "validation_failed", "Le mot de passe actuel doit être une chaîne de caractères.",
                       {"current_password": "chaîne attendue"})
    return current[:1000]
