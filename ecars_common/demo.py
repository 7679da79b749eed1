"""The demo accounts `make run` seeds that more than one service's seed names: auth creates them, and the
contracts seed restricts the demo contract's financial indicators to the EJ's finance officer. Their ids are
fixed here so that each seed can name them without asking another service (services never import each other)."""

FINANCE_OFFICER_ID = "3b0f6a5e-4c1d-5e2f-9a7b-2d8c6e4f1a90"
FINANCE_OFFICER_EMAIL = "demo.finances@e-cars.test"
# The EJ whose demo contract (CCAS BEAUSSAIS SUR MER) has the restricted indicators.
FINANCE_OFFICER_EJ = "220006175"
