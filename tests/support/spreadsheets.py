"""A spreadsheet read back as a person would see it: the first sheet converted by LibreOffice Calc (headless) to
CSV with the cells as shown (dates JJ/MM/AAAA, numbers as formatted)."""

import csv
import io
import shutil
import subprocess


def libreoffice_rows(content: bytes, tmp_path, name: str = "export") -> list[list[str]]:
    """The first sheet as LibreOffice shows it (Calc, headless, saved as CSV with the cells as shown)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice Calc is installed by `make test` (Debian's libreoffice-calc-nogui)"
    source = tmp_path / f"{name}.xlsx"
    source.write_bytes(content)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=120)
    return list(csv.reader(io.StringIO((tmp_path / f"{name}.csv").read_text(encoding="utf-8"))))
