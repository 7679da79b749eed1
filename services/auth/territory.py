"""Does a scope (EJ, contract, CPOM) lie in the territory of the ARS or CD managing its accesses? Auth does
not hold territories: the services that do are asked, with the caller's own token, whether they show it to
the caller — their rules (the ARS of the region, the CD of the département) apply unchanged."""

from urllib.parse import quote

from ecars_common.delegation import ask_as_caller


def in_territory(scope_type: str, scope_id: str) -> bool:
    scope = quote(scope_id, safe="")
    if scope_type == "contract":
        return ask_as_caller("contracts", f"/contracts/{scope}")[0] == 200
    if scope_type == "cpom":
        return ask_as_caller("cpom", f"/cpoms/{scope}")[0] == 200
    if ask_as_caller("cpom", f"/ej/{scope}")[0] == 200:  # an EJ: known to cpom, or with contracts shown
        return True
    status, body = ask_as_caller("contracts", f"/ej/{scope}/contracts")
    return status == 200 and bool(isinstance(body, dict) and body.get("items"))
