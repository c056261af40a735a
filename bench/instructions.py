"""Instructions executed per step, counted by valgrind (callgrind), for the steps of api_speed.py: start a case,
complete its first user task, through the app's whole request path in-process (Flask test client: sign-in,
schemas, services, SQLite, the answer) and in SpiffWorkflow alone. A count does not drift with the machine's
load the way milliseconds do, so it shows what a change of the code did, and the ratio to SpiffWorkflow alone
on equal terms. It leaves out what the kernel does (file and socket I/O) and how fast the machine runs the
instructions, so it complements the milliseconds of api_speed.py and does not replace them.

    python bench/instructions.py        # needs valgrind; about 5 minutes on 2 cores

Each figure is the difference of two runs of the same program that differ only in N more steps, so start-up,
migrations and warm-up cancel out.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

STEPS = 30
WARMUP = 5
LAYERS = {"api": "app in-process (Flask test client, SQLite)", "spiff": "SpiffWorkflow alone"}


def child(layer: str, starts: int, completions: int) -> None:
    """Warm up, then start `starts` cases and complete the first task of `completions` of them."""
    from bench.api_speed import USER, USER_ORG, spiffworkflow_alone_steps, test_client_steps
    from bench.common import fresh_app, sign_in

    app, _ = fresh_app()
    if layer == "api":
        with app.app_context():
            token = sign_in(USER, USER_ORG)
        start, complete = test_client_steps(app, token)
    else:
        start, complete = spiffworkflow_alone_steps(app)
    for _ in range(WARMUP):
        complete(start())
    started = [start() for _ in range(starts)]
    for each in started[:completions]:
        complete(each)


def instructions(layer: str, starts: int, completions: int) -> int:
    """The instructions of one run of the child under callgrind."""
    result = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, "--child",
         layer, str(starts), str(completions)],
        capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"), check=False)
    found = re.search(r"Collected\s*:\s*(\d+)", result.stderr)
    if result.returncode != 0 or found is None:
        raise RuntimeError(f"callgrind run failed ({layer} {starts} {completions}):\n{result.stderr[-3000:]}")
    return int(found.group(1))


def main() -> None:
    runs = [(layer, starts, completions) for layer in LAYERS
            for starts, completions in ((0, 0), (STEPS, 0), (STEPS, STEPS))]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        counts = dict(zip(runs, pool.map(lambda run: instructions(*run), runs), strict=True))
    per_step = {}
    for layer in LAYERS:
        none, started, completed = (counts[(layer, s, c)] for s, c in ((0, 0), (STEPS, 0), (STEPS, STEPS)))
        per_step[layer] = ((started - none) / STEPS, (completed - started) / STEPS)
    print(f"instructions per step (callgrind, difference of runs with and without {STEPS} steps)")
    for index, step in enumerate(("start a case", "complete a user task")):
        print(f"  {step}")
        for layer, label in LAYERS.items():
            ratio = per_step[layer][index] / per_step["spiff"][index]
            print(f"    {label:<45} {per_step[layer][index] / 1e6:7.2f} M   {ratio:5.2f}x SpiffWorkflow alone")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        main()
