"""Infrastructure shared by every e-CARS service: settings, app factory, errors, logging, database,
event envelope, outbox relay, consumer with inbox, health and metrics. No business rule lives here."""
