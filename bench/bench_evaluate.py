"""What `matcher evaluate stackexchange` costs on a larger site: wall time and peak memory.

    .venv/bin/python bench/bench_evaluate.py ../shared/data/stackexchange/beer
    .venv/bin/python bench/bench_evaluate.py PATH --copies 1,2,4

The method is judged on Stack Exchange sites we do not have, some perhaps larger than the two
dumps here. This script makes sites k times as large by laying k copies of a dump side by side
(ids offset, copy i's dates shifted by i seconds so the copies interleave in time, every copy
its own users), and runs the evaluation on each as a new process, reporting its wall time, its
peak resident memory, the work it did (questions, test queries, candidates, refits, the rows
of the first fit, at most config.MAX_TRAINING_ROWS) and the matcher's and recency's MRR as a
sanity check. The copies' texts are identical, so the text features find each question's
twins in the other copies: the figures measure cost, not quality.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

ID_FIELDS = {
    "Posts.xml": ("Id", "ParentId", "AcceptedAnswerId", "OwnerUserId", "LastEditorUserId"),
    "Users.xml": ("Id", "AccountId"),
}
DATE_FIELDS = ("CreationDate",)
BOT = "-1"


def replicate(source: Path, copies: int, target: Path) -> None:
    """Write `copies` side-by-side copies of the dump in `source` into `target`."""
    for name, fields in ID_FIELDS.items():
        if not (source / name).is_file():
            continue
        rows = [dict(row.attrib) for row in ET.parse(source / name).getroot()]
        offset = 10 ** len(str(max(abs(int(r.get("Id", 0))) for r in rows)))
        root = ET.Element(name.removesuffix(".xml").lower())
        for copy in range(copies):
            for row in rows:
                if name == "Users.xml" and row.get("Id") == BOT and copy:
                    continue
                row = dict(row)
                for field in fields:
                    if row.get(field) and row[field] != BOT:
                        row[field] = str(int(row[field]) + copy * offset)
                for field in DATE_FIELDS:
                    if row.get(field):
                        at = datetime.fromisoformat(row[field]) + timedelta(seconds=copy)
                        row[field] = at.isoformat(timespec="milliseconds")
                ET.SubElement(root, "row", row)
        ET.ElementTree(root).write(target / name, encoding="utf-8", xml_declaration=True)


def measure(folder: Path) -> dict[str, object]:
    """Run the evaluation on `folder` as a child process: its JSON, wall time and peak RSS."""
    command = [str(Path(sys.executable).with_name("matcher")), "evaluate", "stackexchange"]
    started = time.perf_counter()
    child = subprocess.Popen(
        [*command, str(folder), "--json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    output = child.stdout.read()
    child.stdout.close()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode:
        raise SystemExit(f"the evaluation of {folder} failed (exit {child.returncode})")
    return {"result": json.loads(output), "seconds": seconds, "peak_gib": usage.ru_maxrss / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument(
        "--copies", type=lambda s: [int(x) for x in s.split(",")], default=[1, 2, 4]
    )
    args = parser.parse_args()
    print(
        "copies  questions  queries  median cand.  refits  first fit rows  wall s  peak GiB  "
        "MRR matcher / recency"
    )
    for copies in args.copies:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / f"{args.path.name}-x{copies}"
            folder.mkdir()
            replicate(args.path, copies, folder)
            run = measure(folder)
        result = run["result"]
        details, rankers = result["details"], result["rankers"]
        print(
            f"{copies:>6}  {details['questions']:>9}  {result['n_queries']:>7}  "
            f"{result['median_candidates']:>12.0f}  {details['refits']:>6}  "
            f"{details['training_rows']:>14}  {run['seconds']:>6.0f}  {run['peak_gib']:>8.2f}  "
            f"{rankers['matcher']['mrr']:.3f} / {rankers['recency']['mrr']:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
