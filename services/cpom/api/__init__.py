"""HTTP API of the cpom service (reached as /api/cpom/… through the gateway), one module per resource.
Routes and bodies: docs/cpom.md."""

from services.cpom import messages
from services.cpom.api import cpoms, exports, grid, referentials_and_organisations, transmissions

BLUEPRINTS = (referentials_and_organisations.bp, cpoms.bp, grid.bp, transmissions.bp, exports.bp, messages.bp)
