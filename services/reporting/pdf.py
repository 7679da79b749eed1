"""Word to PDF with LibreOffice headless (`soffice --convert-to pdf`): the PDF is laid out by the same engine as
the Word documents' tests read them with, from the very .docx reporting makes (one template, two formats).

Each conversion runs in a temporary directory of its own, with its own LibreOffice profile
(`-env:UserInstallation`): two conversions at once never share a profile (LibreOffice refuses a second
instance on a profile in use, or hands the file to the first one). It is stopped, with every process it started
(its own process group), after `timeout` seconds. One conversion at a time per process (a LibreOffice takes
~210 MB: the pods' memory limits count one per process, deploy/k8s/base/reporting.yaml)."""

import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

ONE_AT_A_TIME = threading.Lock()


class PdfError(Exception):
    """The conversion could not be made (LibreOffice missing, too slow, or it failed): a French message."""


def to_pdf(document: bytes, soffice: str = "soffice", timeout: float = 90) -> bytes:
    program = shutil.which(soffice)
    if program is None:
        raise PdfError(f"LibreOffice (« {soffice} ») est introuvable : le PDF ne peut pas être produit. "
                       "Installez libreoffice-writer-nogui ou réglez ECARS_SOFFICE.")
    with ONE_AT_A_TIME, tempfile.TemporaryDirectory(prefix="ecars-pdf-") as directory:
        folder = Path(directory)
        source = folder / "document.docx"
        source.write_bytes(document)
        command = [program, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--norestore",
                   "--nologo", "--convert-to", "pdf", "--outdir", str(folder), str(source)]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                                   env={**os.environ, "HOME": directory})
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PdfError(f"LibreOffice n'a pas produit le PDF en {timeout:g} secondes.") from None
        result = folder / "document.pdf"
        if process.returncode != 0 or not result.exists():
            tail = output.decode(errors="replace")[-300:].strip()
            raise PdfError(f"LibreOffice n'a pas produit le PDF (code {process.returncode}) : {tail}")
        return result.read_bytes()
