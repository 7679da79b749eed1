"""French emails, one template pair (text + HTML) per event type, in templates/."""

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from ecars_common.french import paris_moment

SUPPORT = {
    "email": "ars-ecars@ars.sante.fr",
    "phone": "04.72.34.41.26",
    "medico_social_email": "DNUM-SCN-ECARSMS@sg.social.gouv.fr",
}

_templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)
_templates.filters["heure"] = paris_moment
_templates.globals["CHANGES"] = {"added": "Ajout", "changed": "Modification", "removed": "Suppression"}

SUBJECTS = {
    "verification_code": "e-CARS – Votre code de vérification",
    "access_granted": "e-CARS – Vos accès à la plateforme",
    "account_locked": "e-CARS – Connexion bloquée temporairement",
    "password_changed": "e-CARS – Votre mot de passe a été modifié",
    "evaluation_closed": "e-CARS – Auto-évaluation close : {contract_name}",
    "evaluation_reopened": "e-CARS – Saisie rouverte : {contract_name}",
    "cpom_transmitted": "e-CARS – CPOM transmis : {cpom_name} (transmission n° {version})",
    "reminder": "e-CARS – Rappel : clôture de la saisie le {closes_on_label} ({contract_name})",
    "reminder_undated": "e-CARS – Rappel : auto-évaluation en cours de saisie ({contract_name})",
    "message_posted": "e-CARS – Nouveau message : {subject}",
    "deadline_extended": "e-CARS – Délai de saisie prolongé au {closes_on_label} ({contract_name})",
}



def render(template: str, to: str, mail_from: str, context: dict, subject: str | None = None) -> EmailMessage:
    """`subject`: another key of SUBJECTS than the template's own (a variant of the same email)."""
    context = {**context, "support": SUPPORT}
    message = EmailMessage()
    message["Subject"] = SUBJECTS[subject or template].format(**context)
    message["From"] = mail_from
    message["To"] = to
    message["Message-ID"] = make_msgid(domain="e-cars.fr")
    message.set_content(_templates.get_template(f"{template}.txt").render(context))
    message.add_alternative(_templates.get_template(f"{template}.html").render(context), subtype="html")
    return message
