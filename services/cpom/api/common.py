"""What every resource module of the cpom API uses: the unit of work and the settings."""

from flask import current_app


def unit_of_work():
    return current_app.extensions["db"].session()


def config():
    return current_app.config["SETTINGS"]
