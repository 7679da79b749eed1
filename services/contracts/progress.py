"""The region's progress table of a campaign (« Suivi des contrats »): one page of its contracts, filtered and sorted
in SQL on the fill percentage each contract keeps (updated by the save's write), with the totals of the filtered
contracts computed by one aggregate. A view costs what it shows: three statements (the campaign, the totals, the
page), each on an index of migration 0004, whatever the number of contracts (bench/README.md « Region scale »)."""

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.db import contains_pattern
from ecars_common.errors import ApiError
from ecars_common.numbers import whole_number
from ecars_common.tokens import Identity
from services.contracts import domain
from services.contracts.campaigns import load_campaign
from services.contracts.orm import contracts

PAGE_SIZE = 20
ACCEPTE = "ACCEPTE"  # a closed contract the ARS accepted: a status filter of its own
STATUSES = (domain.AUTO_EVALUATION, domain.CONSULTATION, ACCEPTE)
# the expression of index contracts_search (a literal space: a bound one would not match the index)
SEARCH = contracts.c.ej_finess + sa.literal_column("' '") + contracts.c.ej_raison_sociale
SORTS = {"ej_raison_sociale": sa.func.lower(contracts.c.ej_raison_sociale), "ej_finess": contracts.c.ej_finess,
         "name": sa.func.lower(contracts.c.name), "status": contracts.c.status,
         "fill_percentage": contracts.c.fill_percentage, "departement": contracts.c.ej_departement}
DEPARTEMENT = re.compile(r"^(\d{2}|2A|2B|97\d)$")
ROW = (contracts.c.id, contracts.c.name, contracts.c.ej_finess, contracts.c.ej_raison_sociale,
       contracts.c.ej_departement, contracts.c.status, contracts.c.review, contracts.c.fill_percentage)


@dataclass(frozen=True)
class Query:
    """What the ARS asked for: ?page=&sort=[-]key&status=&fill_min=&fill_max=&departement=&search=."""
    page: int = 1
    sort: str = "ej_raison_sociale"
    descending: bool = False
    status: str | None = None
    fill_min: int | None = None
    fill_max: int | None = None
    departement: str | None = None
    search: str | None = None

    @classmethod
    def from_args(cls, args) -> "Query":
        """Every bad parameter named in one 422."""
        errors: dict[str, str] = {}

        def number(name: str, low: int, high: int) -> int | None:
            raw = args.get(name, "").strip()
            if not raw:
                return None
            if (value := whole_number(raw, low, high)) is None:
                errors[name] = f"un entier entre {low} et {high} est attendu"
            return value

        page = number("page", 1, 1_000_000) or 1
        sort = args.get("sort", "").strip() or "ej_raison_sociale"
        if sort.lstrip("-") not in SORTS:
            errors["sort"] = "valeurs possibles : " + ", ".join(SORTS) + " (préfixe - : ordre décroissant)"
        status = args.get("status", "").strip() or None
        if status is not None and status not in STATUSES:
            errors["status"] = "valeurs possibles : " + ", ".join(STATUSES)
        fill_min, fill_max = number("fill_min", 0, 100), number("fill_max", 0, 100)
        if fill_min is not None and fill_max is not None and fill_min > fill_max:
            errors["fill_max"] = "doit être supérieur ou égal à fill_min"
        departement = args.get("departement", "").strip().upper() or None
        if departement is not None and not DEPARTEMENT.match(departement):
            errors["departement"] = "un numéro de département est attendu (exemple : 35, 2A, 974)"
        search = " ".join(args.get("search", "").split()) or None
        if search is not None and len(search) > 100:
            errors["search"] = "au plus 100 caractères"
        if errors:
            raise ApiError(422, "validation_failed", "Certains critères de recherche ne sont pas valides.", errors)
        return cls(page, sort.lstrip("-"), sort.startswith("-"), status, fill_min, fill_max, departement, search)

    def conditions(self, campaign_id: str) -> list:
        where = [contracts.c.campaign_id == campaign_id]
        if self.status == ACCEPTE:
            where += [contracts.c.status == domain.CONSULTATION, contracts.c.review == ACCEPTE]
        elif self.status is not None:
            where.append(contracts.c.status == self.status)
        if self.fill_min is not None:
            where.append(contracts.c.fill_percentage >= self.fill_min)
        if self.fill_max is not None:
            where.append(contracts.c.fill_percentage <= self.fill_max)
        if self.departement is not None:
            where.append(contracts.c.ej_departement == self.departement)
        if self.search is not None:
            where.append(SEARCH.ilike(contains_pattern(self.search)))
        return where

    def as_dict(self) -> dict:
        return {"status": self.status, "fill_min": self.fill_min, "fill_max": self.fill_max,
                "departement": self.departement, "search": self.search}


def totals_query(where: list) -> sa.Select:
    """The filtered contracts counted by status, and their mean fill percentage."""
    closed = contracts.c.status == domain.CONSULTATION
    return sa.select(
        sa.func.count().label("total"),
        sa.func.count().filter(contracts.c.status == domain.AUTO_EVALUATION).label("auto_evaluation"),
        sa.func.count().filter(closed).label("consultation"),
        sa.func.count().filter(closed, contracts.c.review == ACCEPTE).label("accepte"),
        sa.func.count().filter(contracts.c.fill_percentage == 100).label("complete"),
        sa.func.coalesce(sa.func.round(sa.func.avg(contracts.c.fill_percentage)), 0).label("average_fill"),
    ).where(*where)


def progress(session: Connection, identity: Identity, campaign_id: str, wanted: Query) -> dict:
    campaign = load_campaign(session, identity, campaign_id)
    where = wanted.conditions(campaign_id)
    totals = session.execute(totals_query(where)).mappings().one()
    key = SORTS[wanted.sort]
    order = [key.desc() if wanted.descending else key.asc(), contracts.c.id]
    rows = session.execute(sa.select(*ROW).where(*where).order_by(*order)
                           .limit(PAGE_SIZE).offset((wanted.page - 1) * PAGE_SIZE)).mappings()
    return {"campaign": {"id": campaign["id"], "name": campaign["name"], "evaluated_year": campaign["evaluated_year"]},
            "contracts": [dict(row) for row in rows],
            "page": wanted.page, "pages": max(1, -(-totals["total"] // PAGE_SIZE)), "per_page": PAGE_SIZE,
            "total": totals["total"], "sort": ("-" if wanted.descending else "") + wanted.sort,
            "filters": wanted.as_dict(),
            "totals": {"contracts": totals["total"], "by_status": {
                domain.AUTO_EVALUATION: totals["auto_evaluation"], domain.CONSULTATION: totals["consultation"],
                ACCEPTE: totals["accepte"]}, "complete": totals["complete"],
                "average_fill": int(totals["average_fill"])}}
