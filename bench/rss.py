"""Memory and CPU of a stack's processes during a load run: what a Kubernetes pod running each one needs.

A process here is what one container runs: a gunicorn master and its workers (web processes, the gateway),
or a service's worker (`python -m services.<name> worker`, one process and its threads). For each, the sum
over its process tree of the peak resident set (`VmHWM`) and of the current one (`VmRSS`), in MB (10^6). The
sum overstates what the pod's cgroup is charged for pages the processes share (gunicorn's workers import
the app after the fork, so they share little). CPU comes from the bench's `Machine.measure` (CPU seconds
per process group during the run), divided by the requests served."""

from pathlib import Path


def _status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid` in kB, or {} once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    found = {}
    for line in lines:
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return children


def tree(pid: int) -> dict:
    """{"processes": n, "peak_mb": Σ VmHWM, "rss_mb": Σ VmRSS, "largest_peak_mb": max VmHWM} over `pid`'s tree."""
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        todo += _children(current)
    statuses = [s for s in map(_status, pids) if s]
    return {
        "processes": len(statuses),
        "peak_mb": sum(s.get("VmHWM", 0) for s in statuses) * 1024 / 1e6,
        "rss_mb": sum(s.get("VmRSS", 0) for s in statuses) * 1024 / 1e6,
        "largest_peak_mb": max((s.get("VmHWM", 0) for s in statuses), default=0) * 1024 / 1e6,
    }


def of_stack(processes: dict) -> dict[str, dict]:
    """tree() of every process a deploy.localstack.Stack started (name -> subprocess.Popen) still running."""
    return {name: tree(process.pid) for name, process in processes.items() if process.poll() is None}


def report(measured: dict[str, dict], spent: dict[str, float], requests: int, seconds: float) -> None:
    """`spent`: CPU seconds by process name during the run (`Machine.spent`), `requests` served in `seconds`."""
    print(f"  per process during the run ({requests} requests in {seconds:.0f} s): memory of its whole tree (a "
          f"gunicorn master and its workers) in MB, CPU in ms per request of the mix and in cores")
    print(f"    {'process':<24} {'procs':>5} {'peak Σ VmHWM':>13} {'now Σ VmRSS':>12} {'largest one':>12} "
          f"{'CPU ms/req':>11} {'cores':>6}")
    for name in sorted(set(measured) | set(spent)):
        m = measured.get(name)
        cpu = spent.get(name)
        memory = (f"{m['processes']:>5} {m['peak_mb']:>13.0f} {m['rss_mb']:>12.0f} {m['largest_peak_mb']:>12.0f}"
                  if m else f"{'':>5} {'':>13} {'':>12} {'':>12}")
        cpu_text = f"{cpu * 1000 / max(1, requests):>11.2f} {cpu / seconds:>6.2f}" if cpu is not None else ""
        print(f"    {name:<24} {memory} {cpu_text}")
