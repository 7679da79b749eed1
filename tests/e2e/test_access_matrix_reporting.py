"""Access matrix of the reporting and notifications services: every route, and the bad tokens. The Word
documents are read from the producing service with the caller's own token, so its refusal comes back as is
(404 for a contract or CPOM the caller may not see); notifications has only the routes every service has."""


from tests.support.access import (
    Route,
    matrix_tests,
    service_routes,
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
        # the receipts' PDFs (docs/receipts.md): as the closed contract, as the CPOM's transmission
        Route("GET", "/contracts/<uuid:contract_id>/receipt.pdf", "/contracts/{closed}/receipt.pdf", CONTRACT_READ),
        Route("GET", "/cpoms/<uuid:cpom_id>/transmissions/<int:version>/receipt.pdf",
              "/cpoms/{cpom}/transmissions/1/receipt.pdf", CPOM_READ),
    ],
    "notifications": service_routes("notifications"),
}


w, test_every_route_of_the_service_has_access_rows, test_access, test_bad_token_is_refused = matrix_tests(
    ROUTES)
