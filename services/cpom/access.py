"""Who may see and do what on an EJ or a CPOM (docs/cpom.md « Accès »).

- établissement users: a habilitation in the local projection on the CPOM ("cpom", id) or on its EJ
  ("ej", FINESS juridique) — they are the gestionnaire: actions, values, remarks, transmission;
- ARS users: the CPOM's region (the regions of the ETs of its perimeter, or of its EJ's ETs while the
  perimeter is empty); CD users: a CPOM whose « Départements concernés » hold their département;
- admin: every CPOM.
An authority (ARS / CD) manages the CPOM (sheet, planning, team, grid, amendments, status) only if the
CPOM's competence is theirs (ARS, CD, or both for « Conjointe »); it validates only for its own side.
A CPOM or EJ the caller may not see answers 404 (a stranger learns nothing of what exists); an action the
caller's role may not do on a CPOM they see answers 403."""

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common import habilitations, payload, projection
from ecars_common.errors import ApiError
from ecars_common.tokens import Identity
from services.cpom import domain
from services.cpom.orm import contrats, cpom_etablissements, cpoms, ej, et
from services.cpom.orm import habilitations as hab

SCHEMA = "cpom"
CPOM_NOT_FOUND = "CPOM introuvable."
EJ_NOT_FOUND = "Entité juridique introuvable."
AUTHORITY_OF_ROLE = {"ars": "ARS", "cd": "CD"}


@dataclass(frozen=True)
class Access:
    identity: Identity
    competence: str
    gestionnaire: bool = False
    authority: str | None = None  # "ARS" / "CD" when an authority user sees the CPOM
    admin: bool = False

    @property
    def visible(self) -> bool:
        return self.gestionnaire or self.authority is not None or self.admin

    @property
    def competent(self) -> bool:
        return self.authority in domain.competent_authorities(self.competence)

    def rights(self) -> dict:
        required = domain.required_validations(self.competence)
        return {
            "modifier": self.admin or self.competent,
            "changer_statut": self.competent,
            "valider_ars": self.authority == "ARS" and "ARS" in required,
            "valider_cd": self.authority == "CD" and "CD" in required,
            "saisir": self.gestionnaire,
            "transmettre": self.gestionnaire,
            "remarquer": self.visible,
            "journal": self.authority is not None or self.admin,
        }


def forbidden(message: str) -> ApiError:
    return ApiError(403, "forbidden", message)


def require(access: Access, right: str) -> None:
    if not access.rights()[right]:
        raise forbidden(REFUSALS[right])


REFUSALS = {
    "modifier": "Seules l'ARS et le conseil départemental compétents pour ce CPOM peuvent le modifier.",
    "changer_statut": "Seuls les utilisateurs ARS ou CD compétents pour ce CPOM peuvent changer son statut.",
    "valider_ars": "Seul un utilisateur ARS peut donner la validation ARS de ce CPOM.",
    "valider_cd": "Seul un utilisateur du conseil départemental peut donner la validation CD de ce CPOM.",
    "saisir": "Réservé à l'organisme gestionnaire : les actions et les valeurs sont saisies par l'établissement.",
    "transmettre": "Seul l'organisme gestionnaire transmet les informations aux autorités.",
    "remarquer": "Accès refusé.",
    "journal": "Le journal du CPOM est réservé aux autorités.",
}


def cpom_regions(session: Connection, cpom_id: str, ej_finess: str) -> set[str]:
    regions = set(session.execute(
        sa.select(et.c.region).join(cpom_etablissements, cpom_etablissements.c.et_finess == et.c.finess)
        .where(cpom_etablissements.c.cpom_id == cpom_id)).scalars())
    if not regions:
        regions = set(session.execute(sa.select(et.c.region).where(et.c.ej_finess == ej_finess)).scalars())
    return regions


def access_to(session: Connection, identity: Identity, cpom) -> Access:
    role = identity.role
    if role == "admin":
        return Access(identity, cpom["competence"], admin=True)
    if role == "etablissement":
        granted = any(habilitations.grant_of(session, SCHEMA, identity.user_id, scope, scope_id) is not None
                      for scope, scope_id in (("cpom", cpom["id"]), ("ej", cpom["ej_finess"])))
        return Access(identity, cpom["competence"], gestionnaire=granted)
    if role == "ars" and identity.region and identity.region in cpom_regions(session, cpom["id"], cpom["ej_finess"]):
        return Access(identity, cpom["competence"], authority="ARS")
    if role == "cd" and identity.departement and identity.departement in cpom["departements"]:
        return Access(identity, cpom["competence"], authority="CD")
    return Access(identity, cpom["competence"])


def load_cpom(session: Connection, identity: Identity, cpom_id: str, lock: bool = False):
    """The CPOM row and the caller's access; 404 if it does not exist or the caller may not see it."""
    query = sa.select(cpoms).where(cpoms.c.id == cpom_id)
    row = session.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise ApiError(404, "not_found", CPOM_NOT_FOUND)
    access = access_to(session, identity, row)
    if not access.visible:
        raise ApiError(404, "not_found", CPOM_NOT_FOUND)
    return row, access


def visible_ej_condition(session: Connection, identity: Identity):
    """SQL condition on `ej`: the EJs the caller may see (home list and EJ page), those of their CPOMs and, from the
    contracts service's events (`contrats`), those of their self-evaluation contracts."""
    role = identity.role
    if role == "admin":
        return sa.true()
    if role == "etablissement":
        finess = set(habilitations.scopes_of(session, SCHEMA, identity.user_id, "ej"))
        granted_cpoms = habilitations.scopes_of(session, SCHEMA, identity.user_id, "cpom")
        if granted_cpoms:
            valid = [c for c in granted_cpoms if payload.is_uuid(c)]
            finess |= set(session.execute(sa.select(cpoms.c.ej_finess).where(cpoms.c.id.in_(valid))).scalars())
        # the EJs of their granted contracts read here too, so that the list is primary-key lookups (an OR with a
        # subquery made PostgreSQL read the whole referential for a user of 3 EJs)
        finess |= set(session.execute(
            sa.select(contrats.c.ej_finess).join(hab, hab.c.scope_id == contrats.c.contract_id)
            .where(hab.c.user_id == identity.user_id, hab.c.scope_type == "contract", projection.live(hab))).scalars())
        return ej.c.finess.in_(sorted(finess)) if finess else sa.false()
    if role == "ars" and identity.region:
        # the regions of its ETs and contracts, kept on the EJ (index ej_regions): reading the region's ETs and
        # contracts at each view cost the whole region
        return ej.c.regions.contains([identity.region])
    if role == "cd" and identity.departement:
        dep = identity.departement
        # uncorrelated (a query that already joins cpoms, the territory view, keeps its own), each on an index:
        # et_departement_ej, cpoms_departements (GIN: @>, which « = ANY » cannot use)
        return sa.or_(ej.c.departement == dep,
                      ej.c.finess.in_(sa.select(et.c.ej_finess).where(et.c.departement == dep).correlate(None)),
                      ej.c.finess.in_(sa.select(cpoms.c.ej_finess).where(cpoms.c.departements.contains([dep]))
                                      .correlate(None)))
    return sa.false()


def visible_cpom_condition(identity: Identity):
    """SQL condition on `cpoms` for the authorities' lists: the CPOMs `access_to` lets them see (ARS: an ET of
    the perimeter in its region, or of the EJ while the perimeter is empty; CD: a département concerned)."""
    if identity.role == "admin":
        return sa.true()
    if identity.role == "ars" and identity.region:
        ets_in_region = sa.select(et.c.finess).where(et.c.region == identity.region)
        perimeter = sa.select(cpom_etablissements.c.et_finess).where(cpom_etablissements.c.cpom_id == cpoms.c.id)
        return sa.or_(
            sa.exists(perimeter.where(cpom_etablissements.c.et_finess.in_(ets_in_region))).correlate(cpoms),
            sa.and_(~sa.exists(perimeter).correlate(cpoms),
                    sa.exists().where(et.c.ej_finess == cpoms.c.ej_finess, et.c.region == identity.region)
                    .correlate(cpoms)))
    if identity.role == "cd" and identity.departement:
        return cpoms.c.departements.contains([identity.departement])  # on index cpoms_departements
    return sa.false()
