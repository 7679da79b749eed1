"""« Gestion des Contrats » (/accueil, guide 000 §2 and guide 004): the EJs the person may see, one page of the EJ
referential (cpom's GET /ej: its EJs, those of the CPOMs and those of the self-evaluation contracts, each with
whether it has contracts and CPOMs); then the EJ's page, « LISTE DES CONTRATS » with its CPOM parts (« Liste de
mes CPOM », contacts, établissements). Someone the referential shows no EJ sees the EJs of their habilitations."""

from urllib.parse import quote, urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from ecars_common.errors import ApiError
from ecars_common.numbers import whole_number
from gateway.ui.french import french_date, moment
from gateway.ui.pages import login_required, page_blueprint, page_count, paginate, runs_campaigns
from gateway.ui.session import call, ok_json, unexpected

bp = page_blueprint("home", french_date=french_date, moment=moment)

EJ_SORTS = ("raison_sociale", "adresse", "telephone")  # the columns of the list, the referential sorts by
SEARCH_MAX = 100  # characters of « Rechercher », as the referential accepts
EJ_NOT_FOUND = "Entité juridique introuvable."


@bp.get("/accueil")
@login_required
def home_page():
    listing = contracts_home()  # the EJs the referential shows the person, when it shows some
    if listing is not None:
        return listing
    answer = call("auth", "GET", "/me/habilitations")
    finess = sorted({item["scope_id"] for item in ok_json(answer)["items"] if item["scope_type"] == "ej"})
    # EJs the referential does not hold (yet): their FINESS only.
    establishments = [{"finess": number, "nom": "", "adresse": "", "telephone": ""} for number in finess]
    return render_template("accueil.html", **paginate(establishments))


# -- One page of the EJ referential -------------------------------------------------------------

def ej_sort() -> str:
    sort = request.args.get("sort", "raison_sociale")
    return sort if sort.lstrip("-") in EJ_SORTS else "raison_sociale"


def contracts_home():
    """The home page's list of EJs: one call to the referential for the page shown, sorted and searched there;
    None when it shows the person no EJ at all (and they run no campaigns), or cannot answer: /accueil then
    lists their EJ habilitations."""
    sort = ej_sort()
    page = request.args.get("page", "1")
    page = whole_number(page, 1, 100000) or 1
    search = " ".join(request.args.get("q", "").split())
    errors = {}
    if len(search) > SEARCH_MAX:
        errors["q"] = f"La recherche compte au plus {SEARCH_MAX} caractères."
        search = search[:SEARCH_MAX]
    try:
        answer = call("cpom", "GET", "/ej?" + urlencode({"sort": sort, "page": page, "q": search}))
    except ApiError:
        answer = None
    if answer is None or answer.status_code >= 500:
        flash("La liste des contrats est momentanément indisponible.", "warning")
        return None
    if answer.status_code != 200:
        raise unexpected(answer)
    listing = answer.json()
    listing["pages"] = page_count(listing["total"])
    if not listing["total"] and not search and not runs_campaigns():
        return None
    if page > listing["pages"]:
        return redirect(url_for("home.home_page", sort=sort, page=listing["pages"], q=search or None))

    def sort_url(key: str) -> str:
        return url_for("home.home_page", sort=f"-{key}" if sort == key else key, q=search or None)

    def page_url(number: int) -> str:
        return url_for("home.home_page", sort=sort, page=number, q=search or None)

    return render_template("contracts/accueil.html", listing=listing, sort=sort, sort_url=sort_url,
                           page_url=page_url, search=search, errors=errors), 422 if errors else 200


# -- The EJ's page: « LISTE DES CONTRATS » and its CPOM parts ------------------------------------

def ej_of_cpom(finess: str) -> dict | None:
    """The cpom service's EJ (« Liste de mes CPOM », contacts, établissements), None when it does not know it
    (or does not show it to this person); `{}` when it is unavailable."""
    try:
        answer = call("cpom", "GET", f"/ej/{quote(finess, safe='')}")
    except ApiError:
        flash("Les CPOM de cette entité juridique sont momentanément indisponibles.", "warning")
        return {}
    return answer.json() if answer.status_code == 200 else None


@bp.get("/ej/<finess>")
@login_required
def ej_page(finess: str):
    cpom_ej = ej_of_cpom(finess)
    answer = call("contracts", "GET", f"/ej/{quote(finess, safe='')}/contracts")
    items = [] if cpom_ej and answer.status_code != 200 else ok_json(answer)["items"]
    if not items and cpom_ej is None:  # neither service knows it, or shows it to this person
        abort(404, EJ_NOT_FOUND)
    ej = {"finess": finess}
    if items:
        first = call("contracts", "GET", f"/contracts/{items[0]['id']}")
        if first.status_code == 200:
            ej = first.json()["ej"]
    elif cpom_ej:
        ej = {key: cpom_ej.get(key) for key in ("finess", "raison_sociale", "adresse", "telephone")}
    return render_template("contracts/ej.html", ej=ej, contracts=items, cpom_ej=cpom_ej)
