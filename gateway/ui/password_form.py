"""The new-password form shared by « Renouveler le mot de passe » and « Mon compte »: the auth service's rules
(GET /password-policy) and their states on the checklist after an attempt."""

from gateway.ui.session import anonymous_call, ok_json


def password_policy() -> dict:
    return ok_json(anonymous_call("auth", "GET", "/password-policy"))


def rule_states(unmet: list[str] | None, policy: dict) -> dict:
    """Each rule's state on the checklist: neutral before any attempt, then valid or error."""
    if unmet is None:
        return {}
    return {rule["rule"]: "error" if rule["rule"] in unmet else "valid" for rule in policy["rules"]}


def password_errors(details: dict) -> tuple[dict, list[str]]:
    """The field errors of a weak_password answer (the mismatch under the confirmation) and the unmet rules."""
    rules = [item for item in details.get("rules", []) if isinstance(item, dict)]
    unmet = [item.get("rule", "") for item in rules]
    errors = {}
    on_password = [item.get("message", "") for item in rules if item.get("rule") != "match"]
    if on_password:
        errors["password"] = on_password
    on_confirmation = [item.get("message", "") for item in rules if item.get("rule") == "match"]
    if on_confirmation:
        errors["confirmation"] = on_confirmation
    return errors, unmet


