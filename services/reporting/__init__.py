"""Word reports (python-docx): provisional export, fiche Objectif, tableau de synthèse."""
