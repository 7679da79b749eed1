"""Every attachment of a contract or of a selection of a campaign's contracts as one ZIP (docs/campaigns.md
« Exports »), entries named « FINESS Raison sociale/CODE Indicateur/nom du document ». The files are the
documents service's: each is downloaded through its API with the caller's own token (its rules apply, and a
document it refuses is listed in LISEZMOI.txt instead) and written into the archive as it arrives, so the ZIP
is streamed to the caller without ever being held whole (zipfile writes to an unseekable stream with data
descriptors)."""

import re
import zipfile
from collections.abc import Iterable, Iterator

import httpx
import sqlalchemy as sa
from sqlalchemy import Connection

from ecars_common.zip_stream import Sink
from services.contracts import campaign_indicators
from services.contracts.orm import contracts, indicator_documents

UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')
CHUNK = 1024 * 1024
README = "LISEZMOI.txt"


def safe(part: str, limit: int = 80) -> str:
    cleaned = UNSAFE.sub("_", part).strip(" .") or "_"
    return cleaned[:limit].rstrip(" .") or "_"


def entries(session: Connection, contract_ids: list[str]) -> list[dict]:
    """The documents of these contracts, with the names of their entries (unique within the archive)."""
    rows = session.execute(
        sa.select(indicator_documents.c.document_id, indicator_documents.c.indicator_code, indicator_documents.c.name,
                  indicator_documents.c.size, contracts.c.ej_finess, contracts.c.ej_raison_sociale,
                  contracts.c.campaign_id, contracts.c.name.label("contract_name"))
        .join(contracts, contracts.c.id == indicator_documents.c.contract_id)
        .where(indicator_documents.c.contract_id.in_(contract_ids))
        .order_by(contracts.c.ej_finess, contracts.c.id, indicator_documents.c.indicator_code,
                  indicator_documents.c.added_at)).mappings().all()
    labels: dict[str, dict[str, str]] = {}
    used: set[str] = set()
    out = []
    for row in rows:
        if row["campaign_id"] not in labels:
            indicators = campaign_indicators.indicators_of(session, row["campaign_id"])
            labels[row["campaign_id"]] = {i.code: i.label for i in indicators}
        label = labels[row["campaign_id"]].get(row["indicator_code"], "")
        folder = f"{safe(row['ej_finess'] + ' ' + row['ej_raison_sociale'])}/" \
                 f"{safe(row['indicator_code'] + ' ' + label)}"
        name = safe(row["name"], 120)
        stem, dot, extension = name.rpartition(".")
        path, n = f"{folder}/{name}", 1
        while path.lower() in used:
            n += 1
            path = f"{folder}/{stem} ({n}).{extension}" if dot else f"{folder}/{name} ({n})"
        used.add(path.lower())
        out.append({**row, "path": path})
    return out


def chunks(client: httpx.Client, documents_url: str, headers: dict, files: Iterable[dict]) -> Iterator[bytes]:
    sink = Sink()
    refused = []
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for file in files:
            try:
                with client.stream("GET", f"{documents_url}/documents/{file['document_id']}/content",
                                   headers=headers) as answer:
                    if answer.status_code != 200:
                        refused.append(f"{file['path']} : non fourni par le service documents ({answer.status_code})")
                        continue
                    info = zipfile.ZipInfo(file["path"])
                    info.compress_type, info.file_size = zipfile.ZIP_DEFLATED, file["size"]
                    with archive.open(info, "w", force_zip64=file["size"] > 2**31) as entry:
                        for piece in answer.iter_bytes(CHUNK):
                            entry.write(piece)
                            if sink.pending:
                                yield sink.take()
            except httpx.HTTPError:
                refused.append(f"{file['path']} : le service documents n'a pas répondu")
        if refused:
            archive.writestr(README, "Documents absents de cette archive :\n" + "\n".join(refused) + "\n")
    yield sink.take()
