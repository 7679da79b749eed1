"""« Génération fiche Objectif » and « Génération Tableau de synthèse »: Word files reopened with
python-docx and converted to PDF by LibreOffice; and the authorities' email on transmission."""

import io
import subprocess
import time

import docx
import httpx

from tests.e2e.test_contract_export import all_text
from tests.e2e.test_cpom_transmission import ars, fill_in, setting, transmit  # noqa: F401, F811 (fixtures)


def word(gateway, who, path) -> httpx.Response:
    return httpx.get(f"{gateway}/api/reporting{path}", headers=who.headers, timeout=30)


def test_fiche_objectif_and_synthesis_table_hold_actions_indicators_and_values(gateway, stack, setting, tmp_path):  # noqa: F811
    cpom_id, who, ets = setting["cpom"]["id"], setting["gestionnaire"], setting["org"]["ets"]
    fill_in(gateway, setting)
    fiche = word(gateway, who, f"/cpoms/{cpom_id}/fiche-objectif/O1.docx")
    assert fiche.status_code == 200 and "Fiche%20objectif%20O1" in fiche.headers["content-disposition"]
    text = all_text(docx.Document(io.BytesIO(fiche.content)))
    for expected in ("Fiche Objectif O1", "Personnaliser l'accompagnement", "Action pour O1",
                     "PILOT 072 - Taux de marge N-1 renseigné dans l'ERSD", "8 / 100 = 8,00 %", ets[0], ets[1]):
        assert expected in text, expected
    assert word(gateway, who, f"/cpoms/{cpom_id}/fiche-objectif/NOPE.docx").status_code == 404

    synthese = word(gateway, who, f"/cpoms/{cpom_id}/synthese.docx")
    assert synthese.status_code == 200
    text = all_text(docx.Document(io.BytesIO(synthese.content)))
    for expected in ("Tableau de synthèse", "O1 - Personnaliser", "O2 - Coopérer", "COOP 1 - Partenariats",
                     "CH de Dinan", "8,00 %"):
        assert expected in text, expected
    path = tmp_path / "synthese.docx"
    path.write_bytes(synthese.content)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, timeout=120, capture_output=True)
    pdf = " ".join(subprocess.run(["pdftotext", str(tmp_path / "synthese.pdf"), "-"], check=True,
                                  capture_output=True, text=True).stdout.split())
    assert "Tableau de synthèse" in pdf and "Partenariats" in pdf


def test_word_follows_the_cpom_access_rules(gateway, stack, setting):  # noqa: F811
    from tests.support.cpom import user

    stranger = user(stack, gateway)
    answer = word(gateway, stranger, f"/cpoms/{setting['cpom']['id']}/synthese.docx")
    assert answer.status_code == 404
    assert httpx.get(f"{gateway}/api/reporting/cpoms/{setting['cpom']['id']}/synthese.docx").status_code == 401


def test_the_authorities_are_emailed_on_transmission(gateway, stack, setting, mailbox):  # noqa: F811
    fill_in(gateway, setting)
    assert transmit(gateway, setting["gestionnaire"], setting["cpom"]["id"]).status_code == 201
    for email in ("co@ars.test", "cd22@cd.test"):  # other tests email the same team: wait for this CPOM's
        deadline = time.monotonic() + 15
        while not (mails := [m for m in mailbox.messages(email) if setting["cpom"]["nom"] in m["subject"]]):
            assert time.monotonic() < deadline, f"no email about this CPOM for {email}"
            time.sleep(0.1)
        assert "transmission n° 1" in mails[0]["subject"] and setting["org"]["finess"] in mails[0]["text"]


def test_the_territory_lists_transmissions_for_its_authorities_only(gateway, stack, ars, setting):  # noqa: F811
    from tests.support.cpom import user

    fill_in(gateway, setting)
    assert transmit(gateway, setting["gestionnaire"], setting["cpom"]["id"]).status_code == 201
    url = f"{gateway}/api/cpom/territoire/transmissions"
    items = httpx.get(url, headers=ars.headers).json()["items"]
    mine = [i for i in items if i["cpom_id"] == setting["cpom"]["id"]]
    assert [(i["version"], i["ej_finess"]) for i in mine] == [(1, setting["org"]["finess"])]
    elsewhere = user(stack, gateway, role="ars", region="Occitanie")
    assert all(i["cpom_id"] != setting["cpom"]["id"] for i in httpx.get(url, headers=elsewhere.headers).json()["items"])
    assert httpx.get(url, headers=setting["gestionnaire"].headers).status_code == 403
