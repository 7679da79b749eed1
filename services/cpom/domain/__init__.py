"""CPOM rules (guide 004), free of Flask, SQLAlchemy and I/O, one module per topic: `finess`, `referentials`
(regions, phones, emails), `phases` (phases, compétence, validations), `planning`, `organisations_csv`, `objectives`
(the objectives grid), `value_rules` (an indicator's `regles`), `values` (numbers and rates), `completeness` (what
« Transmettre les informations » needs, what changed between two transmissions). Callers write `domain.<name>`: the
names are gathered here. See docs/cpom.md."""

from services.cpom.domain.completeness import (  # noqa: F401
    INDICATEUR_FIELDS,
    OBJECTIF_FIELDS,
    VALUE_FIELDS,
    changes_between,
    missing_items,
    objectif_ets,
)
from services.cpom.domain.finess import (  # noqa: F401
    DEPARTEMENTS,
    METROPOLE,
    OUTRE_MER_DIGITS,
    finess_departement,
    finess_problem,
    luhn_key,
    luhn_ok,
)
from services.cpom.domain.objectives import (  # noqa: F401
    CATEGORIES,
    CATEGORY_LABELS,
    CODE,
    DECLINAISON_LABELS,
    DECLINAISONS,
    INDICATOR_TYPES,
    MAX_ACTIONS,
    MAX_ELEMENTS_OG,
    MAX_LABEL,
    MAX_LONG_TEXT,
    TOO_MANY_ACTIONS,
    TYPE_LABELS,
    GridError,
    parse_actions,
    parse_axe,
    parse_grid,
    parse_indicateur,
    parse_objectif,
)
from services.cpom.domain.organisations_csv import (  # noqa: F401
    CSV_ALIASES,
    CSV_COLUMNS,
    CSV_REQUIRED_COLUMNS,
    MAX_TEXT,
    CsvError,
    CsvRow,
    decode_csv,
    parse_organisations_csv,
)
from services.cpom.domain.phases import (  # noqa: F401
    AUTORITES,
    COMPETENCES,
    PHASE_CODES,
    PHASE_LABELS,
    PHASES,
    competent_authorities,
    is_validated,
    phase_rank,
    required_validations,
    transition_problem,
)
from services.cpom.domain.planning import (  # noqa: F401
    FIRST_YEAR,
    LAST_YEAR,
    PLANNING,
    PLANNING_DATES,
    PLANNING_LABELS,
    PLANNING_ORDER,
    parse_planning_value,
    planning_problems,
)
from services.cpom.domain.referentials import (  # noqa: F401
    EMAIL,
    PHONE,
    REGIONS,
    canonical_region,
    is_email,
    normalise_phone,
    simplify,
)
from services.cpom.domain.value_rules import RULES_BY_TYPE, number_rule, parse_regles, rule_text  # noqa: F401
from services.cpom.domain.values import (  # noqa: F401
    CENT,
    HUNDRED,
    ZERO_DENOMINATOR,
    french_number,
    parse_value,
    rate,
    rate_label,
)
