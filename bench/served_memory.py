"""What a running gunicorn server holds in memory: each process's RSS, PSS and USS, and the
total PSS of the master and all its workers.

RSS counts every page a process maps, so the pages that workers share (a build's arrays read
through the same memory map, the libraries' code) are counted once per worker, and adding up
the workers' RSS overstates what the server takes. PSS divides each shared page among the
processes that map it, so the PSS of all of them adds up to what the machine gives the server;
USS is what each holds alone (freed when it exits). Read from /proc/PID/smaps_rollup (Linux
4.14+); a process that cannot be read is left out and said so.

    .venv/bin/python bench/served_memory.py MASTER_PID
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PROC = Path("/proc")


def rollup(pid: int) -> dict[str, float]:
    """One process's RSS, PSS and USS (private clean + private dirty) in MiB."""
    fields: dict[str, int] = {}
    for line in (PROC / str(pid) / "smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB":
            fields[name] = int(parts[0])
    mib = 1024.0
    return {
        "rss_mib": round(fields["Rss"] / mib, 1),
        "pss_mib": round(fields["Pss"] / mib, 1),
        "uss_mib": round((fields["Private_Clean"] + fields["Private_Dirty"]) / mib, 1),
        "shared_mib": round((fields["Shared_Clean"] + fields["Shared_Dirty"]) / mib, 1),
    }


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers of its master)."""
    found = []
    for task in (PROC / str(pid) / "task").iterdir():
        path = task / "children"
        if path.exists():
            found += [int(p) for p in path.read_text().split()]
    return sorted(set(found))


def descendants(pid: int) -> list[int]:
    """`pid`'s children, their children, and so on."""
    out, todo = [], children(pid)
    while todo:
        child = todo.pop(0)
        out.append(child)
        todo += children(child)
    return out


def served_memory(master: int) -> dict:
    """The memory of a server: its master (e.g. `matcher serve`'s gunicorn) and every process
    under it, one row each, and the total PSS, in MiB."""
    rows, unreadable = [], []
    for pid in [master, *descendants(master)]:
        try:
            rows.append({"pid": pid, **rollup(pid)})
        except OSError:  # exited meanwhile, or not ours to read
            unreadable.append(pid)
    total = round(sum(r["pss_mib"] for r in rows), 1)
    return {"processes": rows, "total_pss_mib": total, "unreadable": unreadable}


if __name__ == "__main__":
    print(json.dumps(served_memory(int(sys.argv[1])), indent=2))
