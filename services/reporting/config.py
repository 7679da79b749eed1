from dataclasses import dataclass, field

from ecars_common.config import Settings, env


@dataclass
class Config(Settings):
    service: str = "reporting"
    # LibreOffice, which turns the receipts' Word documents into PDF (services/reporting/pdf.py; docs/receipts.md)
    soffice: str = field(default_factory=lambda: env("ECARS_SOFFICE", "soffice"))
    pdf_timeout_seconds: float = field(default_factory=lambda: float(env("ECARS_PDF_TIMEOUT_SECONDS", "90")))
