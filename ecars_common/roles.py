"""The platform's roles and the groups of them that rules name, in one place.

Roles are carried by the access token (`Identity.role`). A rule that admits several roles names one
of these groups rather than restating a tuple, so that « who is an authority » has one answer."""

ETABLISSEMENT = "etablissement"
ARS = "ars"
CD = "cd"
SUPPORT = "support"
ADMIN = "admin"

ALL = (ETABLISSEMENT, ARS, CD, SUPPORT, ADMIN)

# The funding authorities (ARS and département), and the platform admin who may act as either.
AUTHORITIES = (ARS, CD, ADMIN)
# Who runs self-evaluation campaigns: the ARS (and the admin); départements have no campaigns.
CAMPAIGN_AUTHORITIES = (ARS, ADMIN)
# The support team's dashboards.
SUPPORT_ROLES = (SUPPORT, ADMIN)
# The authority side a role acts for, as the CPOM's validations name it.
AUTHORITY_OF_ROLE = {ARS: "ARS", CD: "CD"}
