"""Access matrix of the reporting and notifications services: every route, and the bad tokens. The Word
documents are read from the producing service with the caller's own token, so its refusal comes back as is
(404 for a contract or CPOM the caller may not see); notifications has only the routes every service has."""

import pytest

from tests.support.access import (
    Route,
    assert_complete,
    row_cases,
    run_bad_token,
    run_row,
    service_routes,
    token_cases,
    world,
)

CONTRACT_READ = {"ej_member": 200, "ej_collaborator": 200, "ars": 200, "other_ej": 404, "ars_other_region": 404,
                 "cd": 404, "cd_other_dept": 404, "support": 404}
CPOM_READ = {"ej_member": 200, "ej_collaborator": 200, "ars": 200, "cd": 200, "other_ej": 404,
             "ars_other_region": 404, "cd_other_dept": 404, "support": 404}

ROUTES = {
    "reporting": service_routes("reporting") + [
        Route("GET", "/contracts/<uuid:contract_id>/export.docx", "/contracts/{contract}/export.docx", CONTRACT_READ),
        Route("GET", "/cpoms/<uuid:cpom_id>/fiche-objectif/<code>.docx", "/cpoms/{cpom}/fiche-objectif/O1.docx",
              CPOM_READ),
        Route("GET", "/cpoms/<uuid:cpom_id>/synthese.docx", "/cpoms/{cpom}/synthese.docx", CPOM_READ),
    ],
    "notifications": service_routes("notifications"),
}


def per_service(make) -> list:
    """The cases of both services, each named after its service."""
    return [pytest.param(service, *case.values, id=f"{service} {case.id}", marks=case.marks)
            for service, routes in ROUTES.items() for case in make(routes)]


@pytest.fixture(scope="module")
def w(stack, gateway):
    return world(stack, gateway)


@pytest.mark.parametrize("service", ROUTES)
def test_every_route_of_the_service_has_access_rows(service):
    assert_complete(service, ROUTES[service])


@pytest.mark.parametrize("service, route, variant, caller, expected", per_service(row_cases))
def test_access(w, service, route, variant, caller, expected):
    run_row(w, service, route, variant, caller, expected)


@pytest.mark.parametrize("service, route, forgery", per_service(token_cases))
def test_bad_token_is_refused(w, service, route, forgery):
    run_bad_token(w, service, route, forgery)
