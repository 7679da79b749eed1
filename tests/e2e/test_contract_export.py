"""« EDITER LES DONNEES »: the Word export, opened back with python-docx and converted to PDF by LibreOffice."""

import io

import docx
import httpx

from tests.support.contracts import GOOD_ANSWERS, TEMPLATE, make_contract, save
from tests.support.identity import active_user, bearer, sign_in
from tests.support.word import (
    all_text,
    check_page_layout,
    grid_widths,
    header_fill,
    render,
    repeats_first_row,
    table_with_header,
)


def export(gateway, setup, tokens=None) -> httpx.Response:
    return httpx.get(f"{gateway}/api/reporting/contracts/{setup.contract_id}/export.docx",
                     headers=bearer(tokens or setup.member), timeout=30)


def test_the_provisional_export_lists_every_indicator_filled_or_not(gateway, stack, tmp_path):
    setup = make_contract(gateway, stack)
    assert save(gateway, setup, "ACC01", {"REALISE": 42}, comment="Selon le rapport d'activité").status_code == 200
    answer = export(gateway, setup)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=UTF-8''Auto-%C3%A9valuation" in answer.headers["content-disposition"]
    text = all_text(docx.Document(io.BytesIO(answer.content)))
    for label in ("Nombre de personnes accompagnées", "Taux d'occupation", "Convention soins palliatifs",
                  "Date de la dernière évaluation", "Démarche qualité", "Personnel formé"):
        assert label in text
    assert "Selon le rapport d'activité" in text and "42" in text
    assert "Extraction provisoire" in text and "AUTO-EVALUATION" in text
    assert "Commentaire évalué 2023" in text

    rendered = render(answer.content, tmp_path, "export")
    for code_label in ("Nombre de personnes", "Démarche qualité", "Personnel formé"):
        assert code_label in rendered.text
    for indicator in TEMPLATE["indicators"]:  # whole: no name is cut inside a word by a narrow column
        assert indicator["label"] in rendered.text, indicator["label"]


def test_the_export_is_laid_out_as_a_document_to_send(gateway, stack, tmp_path):
    """Issue 20, defect 6: a header naming the document and the EJ, « Page X sur Y », landscape, no empty first
    row, the column titles styled and repeated on each page, columns fitted to their content."""
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers, comment="Selon le rapport d'activité de l'année, validé en conseil")
    rendered = render(export(gateway, setup).content, tmp_path, "export")
    check_page_layout(rendered, "Édition des données saisies", f"EJ {setup.finess} - EJ {setup.finess}",
                      landscape=True)
    indicators = table_with_header(rendered.document, "Indicateur")
    assert repeats_first_row(indicators) and header_fill(indicators) == {"000091"}
    assert all(run.bold for cell in indicators.rows[0].cells for run in cell.paragraphs[0].runs)
    widths = dict(zip([c.text for c in indicators.rows[0].cells], grid_widths(indicators), strict=True))
    assert widths["Indicateur"] > 2 * widths["Réalisé"] and widths["Commentaire évalué 2023"] > 2 * widths["État"]
    section = rendered.document.sections[0]
    assert sum(widths.values()) == round((section.page_width - section.left_margin - section.right_margin) / 635)
    facts = rendered.document.tables[0]
    assert facts.rows[0].cells[0].text == "Entité juridique" and not repeats_first_row(facts)


def test_a_closed_contract_export_prints_its_receipt_hash(gateway, stack):
    setup = make_contract(gateway, stack)
    for code, answers in GOOD_ANSWERS.items():
        save(gateway, setup, code, answers)
    receipt = httpx.post(setup.url(gateway, "/close"), headers=bearer(setup.member)).json()["receipt_hash"]
    text = all_text(docx.Document(io.BytesIO(export(gateway, setup).content)))
    assert receipt in text and "CONSULTATION" in text and "Extraction provisoire" not in text
    assert "15/03/2023" in text and "Oui" in text and "92,5 %" in text


def test_the_export_prints_the_messages_exchanged_never_a_private_note(gateway, stack):
    """Issue 18 item 3: the messages « included in the exports »."""
    setup = make_contract(gateway, stack)
    assert "Aucun message échangé." in all_text(docx.Document(io.BytesIO(export(gateway, setup).content)))
    url = setup.url(gateway, "/messages")
    for tokens, body in ((setup.member, {"text": "Faut-il joindre le bilan 2023 ?"}),
                         (setup.ars, {"text": "Note interne de l'ARS", "private": True}),
                         (setup.ars, {"text": "Oui, joignez-le."})):
        assert httpx.post(url, headers=bearer(tokens), json=body).status_code == 201
    for tokens in (setup.member, setup.ars):
        document = docx.Document(io.BytesIO(export(gateway, setup, tokens).content))
        messages = table_with_header(document, "Date")
        rows = [[cell.text for cell in row.cells] for row in messages.rows[1:]]
        assert [(row[1], row[2]) for row in rows] == [
            (f"{setup.member_email} (établissement)", "Faut-il joindre le bilan 2023 ?"),
            (f"{setup.ars_email} (ARS)", "Oui, joignez-le.")]
        assert all(" à " in row[0] and row[0][2] == "/" for row in rows)  # « 03/12/2026 à 17h05 », Paris time
        assert "Note interne" not in all_text(document)


def test_export_follows_the_contract_access_rules(gateway, stack):
    setup = make_contract(gateway, stack)
    stranger = sign_in(gateway, active_user(stack)[0])
    refused = export(gateway, setup, stranger)
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert httpx.get(f"{gateway}/api/reporting/contracts/{setup.contract_id}/export.docx").status_code == 401
