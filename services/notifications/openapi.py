"""OpenAPI description of the notifications service: it serves only the routes every service shares
(health, metrics, dashboard, this document), described in ecars_common/openapi.py."""

from ecars_common.openapi import document

DOCUMENT = document("notifications", {}, description="Emails envoyés à partir des événements.")
