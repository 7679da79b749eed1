"""« Gestion des Contrats » (/accueil, guide 000 §2 and guide 004): the EJs of the person's self-evaluation
contracts and CPOMs, read from both services and merged; then the EJ's page, « LISTE DES CONTRATS » with its
CPOM parts (« Liste de mes CPOM », contacts, établissements). Someone with neither sees the EJs of their
habilitations."""

from urllib.parse import quote, urlencode

from flask import abort, flash, redirect, render_template, request, url_for

from ecars_common.errors import ApiError
from gateway.ui.french import french_date, moment
from gateway.ui.pages import PAGE_SIZE, login_required, page_blueprint, page_count, paginate, runs_campaigns
from gateway.ui.session import call, ok_json

bp = page_blueprint("home", french_date=french_date, moment=moment)

EJ_SORTS = ("raison_sociale", "adresse", "telephone")  # the columns of the list, both services sort by
LIST_PAGES = 50  # at most this many pages of 20 EJs are read from each service for the home list
EJ_NOT_FOUND = "Entité juridique introuvable."


@bp.get("/accueil")
@login_required
def home_page():
    listing = contracts_home()  # the EJs with contracts or CPOMs, when the person has some
    if listing is not None:
        return listing
    answer = call("auth", "GET", "/me/habilitations")
    finess = sorted({item["scope_id"] for item in ok_json(answer)["items"] if item["scope_type"] == "ej"})
    # The EJ's name, address and phone come from the referential service, not there yet.
    establishments = [{"finess": number, "nom": "", "adresse": "", "telephone": ""} for number in finess]
    return render_template("accueil.html", **paginate(establishments))


# -- The EJs of the contracts and of the CPOMs ---------------------------------------------------

def ej_sort() -> str:
    sort = request.args.get("sort", "raison_sociale")
    return sort if sort.lstrip("-") in EJ_SORTS else "raison_sociale"


def contracts_home():
    """The home page's list of EJs; None when the person has none (and runs no campaigns): /accueil then
    lists their EJ habilitations."""
    sort = ej_sort()
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) >= 1 else 1
    items = merged_ejs(sort)
    if items is None:
        return None
    listing = {"items": items[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], "page": page,
               "pages": page_count(len(items)), "total": len(items)}
    if not listing["total"] and not runs_campaigns():
        return None
    if page > listing["pages"]:
        return redirect(url_for("home.home_page", sort=sort, page=listing["pages"]))

    def sort_url(key: str) -> str:
        return url_for("home.home_page", sort=f"-{key}" if sort == key else key)

    def page_url(number: int) -> str:
        return url_for("home.home_page", sort=sort, page=number)

    return render_template("contracts/accueil.html", listing=listing, sort=sort, sort_url=sort_url,
                           page_url=page_url)


def _all_pages(service: str, path: str, sort: str) -> list[dict] | None:
    items, page, pages = [], 1, 1
    while page <= min(pages, LIST_PAGES):
        answer = call(service, "GET", f"{path}?" + urlencode({"sort": sort, "page": page}))
        if answer.status_code != 200:
            return None
        listing = answer.json()
        items += listing["items"]
        pages = int(listing.get("pages") or 1)
        page += 1
    return items


def merged_ejs(sort: str) -> list[dict] | None:
    """The EJs of GET /ej of the contracts and of the cpom services (deduplicated by FINESS), in the contracts
    list's shape and sorted by `sort` (raison_sociale, adresse, telephone; « - » descending). None when neither
    answers; a warning is flashed for the one that does not."""
    try:
        contracts = _all_pages("contracts", "/ej", sort)
    except ApiError:
        contracts = None
    try:
        cpoms = _all_pages("cpom", "/ej", sort)
    except ApiError:
        cpoms = None
    if contracts is None and cpoms is None:
        flash("La liste des contrats est momentanément indisponible.", "warning")
        return None
    if contracts is None:
        flash("La liste des contrats d'auto-évaluation est momentanément indisponible.", "warning")
    if cpoms is None:
        flash("La liste des CPOM est momentanément indisponible.", "warning")
    found: dict[str, dict] = {item["ej_finess"]: dict(item) for item in contracts or []}
    for item in cpoms or []:
        known = found.setdefault(item["finess"], {"ej_finess": item["finess"]})
        for key in ("raison_sociale", "adresse", "telephone"):
            if not known.get(f"ej_{key}"):
                known[f"ej_{key}"] = item.get(key)
    key = sort.lstrip("-")
    return sorted(found.values(), key=lambda e: ((e.get(f"ej_{key}") or "").casefold(), e["ej_finess"]),
                  reverse=sort.startswith("-"))


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
