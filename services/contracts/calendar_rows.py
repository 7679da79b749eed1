"""The contract rows the calendar works on (the job, reminders, extensions, bulk actions): the contract, its
campaign, and its closing date in effect — its own once extended, else its campaign's."""

import sqlalchemy as sa

from services.contracts.orm import campaigns, contracts


def effective_closing() -> sa.ColumnElement:
    return sa.func.coalesce(contracts.c.closes_on, campaigns.c.closes_on)


def contract_columns() -> list:
    """What the calendar needs of a contract and its campaign (evaluation.snapshot's columns included)."""
    return [contracts.c.id, contracts.c.campaign_id, contracts.c.name, contracts.c.ej_finess,
            contracts.c.ej_raison_sociale, contracts.c.referent_email, contracts.c.status, contracts.c.review,
            campaigns.c.name.label("campaign_name"), campaigns.c.evaluated_year, campaigns.c.region,
            effective_closing().label("closes_on")]


def with_campaign() -> sa.Select:
    return sa.select(*contract_columns()).join(campaigns, campaigns.c.id == contracts.c.campaign_id)
