"""« Génération fiche Objectif » and « Génération Tableau de synthèse »: Word files reopened with
python-docx and converted to PDF by LibreOffice; and the authorities' email on transmission."""

import io
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import docx
import httpx

from tests.e2e.test_cpom_transmission import ars, fill_in, setting, transmit  # noqa: F401, F811 (fixtures)
from tests.support.cpom import api
from tests.support.word import (
    all_text,
    check_page_layout,
    header_fill,
    render,
    repeats_first_row,
    table_with_header,
)

# The codes issue 20 found printed as they are stored (cpom's categories, types and déclinaisons)
RAW_CODES = re.compile(r"\b(pilotage_interne|cooperation|et_par_et|oui_non|quantitatif|qualitatif|taux)\b")


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
    rendered = render(synthese.content, tmp_path, "synthese")
    assert "Tableau de synthèse" in rendered.text and "Partenariats" in rendered.text


def test_the_cpom_documents_speak_french_and_are_laid_out_to_be_sent(gateway, stack, setting, tmp_path):  # noqa: F811
    """Issue 20, defects 5 and 6: cpom's labels (never its codes), a remark's date in French and Paris time, a
    header naming the document and the EJ, « Page X sur Y », landscape for the wide synthesis table, no empty
    first row, the column titles styled and repeated on each page."""
    cpom_id, who = setting["cpom"]["id"], setting["gestionnaire"]
    fill_in(gateway, setting)
    remark = httpx.post(api(gateway, f"/cpoms/{cpom_id}/remarques"), headers=who.headers,
                        json={"texte": "Les valeurs 2023 sont provisoires."})
    assert remark.status_code == 201, remark.text
    said_at = datetime.fromisoformat(remark.json()["le"]).astimezone(ZoneInfo("Europe/Paris"))
    referentials = httpx.get(api(gateway, "/referentiels"), headers=who.headers).json()
    labels = {key: {item["libelle"] for item in referentials[key]}
              for key in ("types_indicateur", "categories", "declinaisons")}
    ej_line = f"EJ {setting['org']['finess']} - "

    synthese = render(word(gateway, who, f"/cpoms/{cpom_id}/synthese.docx").content, tmp_path, "synthese")
    check_page_layout(synthese, "Tableau de synthèse", ej_line, landscape=True)
    assert f"{said_at:%d/%m/%Y à %Hh%M}" in synthese.text and "Les valeurs 2023 sont provisoires." in synthese.text
    assert not RAW_CODES.search(synthese.text), RAW_CODES.search(synthese.text)
    table = table_with_header(synthese.document, "Objectif")
    assert repeats_first_row(table) and header_fill(table) == {"000091"}
    categories = {row.cells[3].text for row in table.rows[1:]}
    assert categories == {"Pilotage interne", "Accompagnement", "Coopération", "Soins"} <= labels["categories"]

    fiche = render(word(gateway, who, f"/cpoms/{cpom_id}/fiche-objectif/O1.docx").content, tmp_path, "fiche")
    check_page_layout(fiche, "Fiche Objectif O1", ej_line, landscape=False)
    assert not RAW_CODES.search(fiche.text), RAW_CODES.search(fiche.text)
    indicators = table_with_header(fiche.document, "Indicateur")
    assert repeats_first_row(indicators) and repeats_first_row(table_with_header(fiche.document, "N°"))
    printed = {(r.cells[1].text, r.cells[2].text, r.cells[3].text) for r in indicators.rows[1:]} - {("", "", "")}
    assert printed == {("Taux", "Pilotage interne", "ET par ET"), ("Quantitatif", "Accompagnement", "ET par ET")}
    assert {t for t, _, _ in printed} <= labels["types_indicateur"]
    assert {d for _, _, d in printed} <= labels["declinaisons"]


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


def test_the_synthesis_prints_the_messages_exchanged_never_a_private_note(gateway, stack, ars, setting):  # noqa: F811
    """Issue 18 item 3, for the CPOM: the messages « included in the exports » — the « Tableau de synthèse » (and the
    CPOM's export it is printed from) ends with the messages exchanged, in the gestionnaire's copy as in the ARS's;
    the ARS's private note in neither."""
    cpom_id, who = setting["cpom"]["id"], setting["gestionnaire"]
    before = all_text(docx.Document(io.BytesIO(word(gateway, who, f"/cpoms/{cpom_id}/synthese.docx").content)))
    assert "Messages échangés avec les autorités" in before and "Aucun message échangé." in before
    url = api(gateway, f"/cpoms/{cpom_id}/messages")
    for sender, body in ((who, {"text": "Le rapport d'activité suffit-il ?"}),
                         (ars, {"text": "Note interne sur ce CPOM", "private": True}),
                         (ars, {"text": "Oui, il suffit."})):
        assert httpx.post(url, headers=sender.headers, json=body).status_code == 201
    for reader in (who, ars):
        export = httpx.get(api(gateway, f"/cpoms/{cpom_id}/export"), headers=reader.headers).json()
        assert [m["text"] for m in export["messages"]] == ["Le rapport d'activité suffit-il ?", "Oui, il suffit."]
        document = docx.Document(io.BytesIO(word(gateway, reader, f"/cpoms/{cpom_id}/synthese.docx").content))
        rows = [[cell.text for cell in row.cells] for row in table_with_header(document, "Date").rows[1:]]
        assert [(row[1], row[2]) for row in rows] == [
            (f"{who.email} (établissement)", "Le rapport d'activité suffit-il ?"),
            (f"{ars.email} (autorité)", "Oui, il suffit.")]
        assert all(" à " in row[0] and row[0][2] == "/" for row in rows)  # Paris time, « 04/12/2026 à 19h05 »
        assert "Note interne" not in all_text(document)
