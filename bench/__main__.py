"""`make bench`: every bench of bench/README.md, one after the other, each in its own process (each starts what
it needs on loopback and stops it). About 20 minutes on the 2-core machine. One bench: `python -m bench.<name>`."""

import subprocess
import sys

BENCHES = ["word_bench", "events_bench", "gateway_bench", "writes_bench", "login_bench", "load_bench",
           "hotpaths_bench", "documents_bench", "scale_bench"]


def main() -> int:
    failed = []
    for name in BENCHES:
        print(f"\n=== bench.{name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"\nFailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
