"""The event catalogue describes every event the code publishes, and its documents are up to date."""

import re
import subprocess
import sys
from pathlib import Path

from ecars_common.events import catalogue

ROOT = Path(__file__).resolve().parents[2]
# A literal event type handed to a publishing call: publish(session, "a.b.c", …) or new_envelope("a.b.c", …)
PUBLISHED = re.compile(r"""(?:publish|new_envelope)\(\s*(?:session,\s*)?["']([a-z_]+\.[a-z_]+\.[a-z_]+)["']""")


def published_types() -> set[str]:
    found = set()
    for path in list((ROOT / "services").rglob("*.py")) + list((ROOT / "ecars_common").rglob("*.py")):
        found |= set(PUBLISHED.findall(path.read_text()))
    return found


def test_every_event_published_in_the_code_is_in_the_catalogue():
    described = {entry["type"] for entry in catalogue()}
    published = published_types()
    assert published, "the scan found no publishing call: the pattern is wrong"
    assert published <= described, f"published but not described: {sorted(published - described)}"


def test_the_generated_catalogue_and_asyncapi_files_are_up_to_date():
    result = subprocess.run([sys.executable, "-m", "ecars_common.catalogue", "--check"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_scan_would_catch_an_undescribed_event(tmp_path):
    sample = 'publish(session, "contracts.thing.vanished", {})'
    assert PUBLISHED.findall(sample) == ["contracts.thing.vanished"]
    assert "contracts.thing.vanished" not in {entry["type"] for entry in catalogue()}


def subscriptions() -> dict[str, set[str]]:
    """What each consuming service's worker actually subscribes to."""
    from ecars_common import habilitations
    from services.contracts import attachments
    from services.cpom import contract_events, folder_documents
    from services.notifications.bootstrap import event_handlers
    from services.notifications.config import Config
    from services.notifications.mailer import FakeMailer
    from services.reporting import receipts
    from services.reporting.config import Config as ReportingConfig

    projection = set(habilitations.event_handlers("x"))
    return {"notifications": set(event_handlers(Config(), FakeMailer())),
            "contracts": projection | set(attachments.event_handlers()),
            "cpom": projection | set(contract_events.event_handlers()) | set(folder_documents.event_handlers()),
            "documents": projection, "reporting": set(receipts.event_handlers(ReportingConfig()))}


def test_the_catalogue_names_exactly_the_consumers_that_subscribe():
    declared: dict[str, set[str]] = {}
    for entry in catalogue():
        for consumer in entry["schema"]["x-consumers"]:
            declared.setdefault(consumer, set()).add(entry["type"])
    actual = subscriptions()
    for service, types in actual.items():
        assert declared.get(service, set()) == types, service
    assert set(declared) - set(actual) == {"backoffice"}  # the back-office reads its own queue
