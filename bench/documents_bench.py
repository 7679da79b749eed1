"""Documents: streamed upload and download through gateway → documents → S3, against minio directly.

    .venv/bin/python -m bench.documents_bench [--sizes 10,100] [--runs 5] [--keep]

Starts its own copy of the system on loopback (gateway 14080, services 14101…, clear of the test slots;
database `ecars_bench`; its own bucket on the machine's shared SeaweedFS), signs in an ARS user, then for
each size:
- direct minio `put_object` (part_size 10 MB, from a file) and `get_object` (stream of 256 KiB) — the floor;
- the same file POSTed to /api/documents/references/<region> through the gateway (raw body, streamed from
  disk) and GET …/documents/<id>/content back (streamed), checking the bytes are identical (SHA-256);
- the peak RSS (VmHWM) of the gateway's and the documents service's gunicorn worker during those transfers
  (reset before each size through /proc/<pid>/clear_refs).
Prints a table (median of the runs) of MB/s, the ratio to direct, and the peaks."""

import argparse
import hashlib
import json
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.objectlockconfig import DAYS, ObjectLockConfig

from deploy.localstack import S3_ACCESS_KEY, S3_PORT, S3_SECRET_KEY, Stack
from services.auth.passwords import hash_password
from tests.support.db import create_user

MB = 1024 * 1024
CHUNK = 256 * 1024
PASSWORD = "Bench-Documents-2026!"  # noqa: S105 (a throwaway user of the bench database)
REGION = "Bretagne"


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def status_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb(pid: int) -> float:
    return status_mb(pid, "VmHWM")


def rss_mb(pid: int) -> float:
    return status_mb(pid, "VmRSS")


def reset_peak(pid: int) -> None:
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS (Linux ≥ 4.0)


def make_pdf(path: Path, size: int) -> str:
    """A file of `size` bytes that the documents service accepts as a PDF (header, random body, %%EOF)."""
    digest = hashlib.sha256()
    head, tail = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    with open(path, "wb") as out:
        left = size - len(head) - len(tail)
        for piece in (head,):
            out.write(piece)
            digest.update(piece)
        while left > 0:
            block = os.urandom(min(4 * MB, left))
            out.write(block)
            digest.update(block)
            left -= len(block)
        out.write(tail)
        digest.update(tail)
    return digest.hexdigest()


def file_chunks(path: Path):
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100", help="file sizes in MB, comma-separated (e.g. 10,100,1024)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="leave the stack running at the end (Ctrl-C stops it)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))  # stop the stack too
    sizes = [int(s) for s in args.sizes.split(",")]

    work = Path(tempfile.mkdtemp(prefix="ecars-bench-"))
    bucket = f"ecars-bench-{uuid.uuid4().hex[:8]}"
    stack = Stack(state_dir=work / "stack", database="ecars_bench", gateway_port=14080, first_service_port=14101,
                  smtp_port=14025, mail_web_port=14026, exchange="ecars.events.bench", queue_prefix="bench.",
                  s3_bucket=bucket, shared_s3=True, gunicorn_workers=1, gunicorn_threads=4,
                  extra_env={"ECARS_DOCUMENTS_MAX_BYTES": str((max(sizes) + 1) * MB), "ECARS_LOG_LEVEL": "WARNING"})
    print(f"Starting the system (logs in {stack.log_dir})…", flush=True)
    measured = False
    try:
        stack.ensure_s3()
        # The bucket as `migrate` makes it (Object Lock, COMPLIANCE), but locking for one day, not ten years:
        # the bench writes gigabytes to the machine's shared SeaweedFS.
        s3 = Minio(f"127.0.0.1:{S3_PORT}", access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)
        s3.make_bucket(bucket, object_lock=True)
        s3.set_object_lock_config(bucket, ObjectLockConfig(COMPLIANCE, 1, DAYS))
        stack.up(fresh_database=True)
        rows, baseline = run(stack, bucket, sizes, args.runs, work)
        print_table(rows, baseline)
        measured = True
        if args.keep:
            print(f"\nThe system stays up on {stack.gateway_url}; Ctrl-C stops it.")
            while True:
                time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        stack.down()
        for path in work.glob("*.pdf"):
            path.unlink()
        if measured:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"No figures: the logs are in {stack.log_dir}", file=sys.stderr)


def run(stack: Stack, bucket: str, sizes: list[int], runs: int, work: Path) -> tuple[list[dict], dict]:
    email = f"bench-{uuid.uuid4().hex[:8]}@e-cars.test"
    create_user(stack, email, role="ars", region=REGION, password_hash=hash_password(PASSWORD),
                must_reset_password=False)
    tokens = httpx.post(f"{stack.gateway_url}/api/auth/login", json={"email": email, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {tokens.raise_for_status().json()['access_token']}"}
    # The same HTTP client library (urllib3) for both paths, so that only the path differs.
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=5, read=300), retries=False)
    s3 = Minio(f"127.0.0.1:{S3_PORT}", access_key=S3_ACCESS_KEY, secret_key=S3_SECRET_KEY, secure=False)
    gateway_pid = children_of(stack.processes["gateway"].pid)[0]
    documents_pid = children_of(stack.processes["documents"].pid)[0]
    baseline = {"gateway": rss_mb(gateway_pid), "documents": rss_mb(documents_pid)}  # idle, after sign-in
    rows = []
    for size_mb in sizes:
        path = work / f"bench-{size_mb}.pdf"
        sha256 = make_pdf(path, size_mb * MB)
        size = size_mb * MB
        results = {"direct_put": [], "direct_get": [], "upload": [], "download": []}
        reset_peak(gateway_pid)
        reset_peak(documents_pid)
        for run_number in range(runs):
            key = f"bench/{uuid.uuid4()}"
            seconds, _ = timed(lambda: direct_put(s3, bucket, key, path, size))  # noqa: B023
            results["direct_put"].append(size / MB / seconds)
            seconds, _ = timed(lambda: read_all(s3.get_object(bucket, key)))  # noqa: B023
            results["direct_get"].append(size / MB / seconds)

            def upload():
                answer = http.request(
                    "POST", f"{stack.gateway_url}/api/documents/references/{REGION}",
                    body=file_chunks(path),  # noqa: B023
                    headers={**headers, "Content-Type": "application/octet-stream",
                             "Content-Length": str(size), "X-File-Name": f"bench-{size_mb}.pdf"})  # noqa: B023
                assert answer.status == 201, answer.data[:500]
                return json.loads(answer.data)

            seconds, document = timed(upload)
            assert document["sha256"] == sha256 and document["size"] == size
            results["upload"].append(size / MB / seconds)
            url = f"{stack.gateway_url}/api/documents/documents/{document['id']}/content"
            if run_number == 0:  # once, hashed and not timed: the bytes come back identical
                digest = hashlib.sha256()
                read_all(http.request("GET", url, headers=headers, preload_content=False), digest.update)
                assert digest.hexdigest() == sha256, "downloaded bytes differ"
            seconds, received = timed(lambda: read_all(http.request("GET", url, headers=headers,  # noqa: B023
                                                                    preload_content=False)))
            assert received == size
            results["download"].append(size / MB / seconds)
        rows.append({"size": size_mb, **{k: statistics.median(v) for k, v in results.items()},
                     "gateway_rss": peak_rss_mb(gateway_pid), "documents_rss": peak_rss_mb(documents_pid)})
        print(f"  {size_mb} MB done", flush=True)
    return rows, baseline


def direct_put(s3: Minio, bucket: str, key: str, path: Path, size: int) -> None:
    with open(path, "rb") as source:
        s3.put_object(bucket, key, source, size, part_size=10 * MB)


def read_all(response, consume=None) -> int:
    """Read a streamed urllib3 response (minio's get_object returns one too) in 256 KiB chunks."""
    received = 0
    try:
        assert response.status == 200, response.status
        for chunk in response.stream(CHUNK):
            received += len(chunk)
            if consume:
                consume(chunk)
    finally:
        response.close()
        response.release_conn()
    return received


def print_table(rows: list[dict], baseline: dict) -> None:
    print("\n| size | direct put | upload via gateway | ratio | direct get | download via gateway | ratio "
          "| peak RSS gateway | peak RSS documents |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['size']} MB | {r['direct_put']:.0f} MB/s | {r['upload']:.0f} MB/s | "
              f"{r['upload'] / r['direct_put']:.2f} | {r['direct_get']:.0f} MB/s | {r['download']:.0f} MB/s | "
              f"{r['download'] / r['direct_get']:.2f} | {r['gateway_rss']:.0f} MB | {r['documents_rss']:.0f} MB |")
    print(f"\nIdle RSS before the transfers: gateway {baseline['gateway']:.0f} MB, "
          f"documents {baseline['documents']:.0f} MB (one gunicorn gthread worker each, 4 threads).")


if __name__ == "__main__":
    sys.exit(main())
