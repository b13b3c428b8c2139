"""Each Rasa patch's gain, measured through the real servers (docs/rasa-patches.md).

Starts the real Rasa server (`python -m rasa_server run`, windowed SQL tracker store) and action
server once per set-up: every patch installed, every patch but one (for each), none
(RASA_PATCHES=off); in rounds, so that a machine growing busier does not favour one set-up.
Against each, after a warm-up, runs the same work several times, one message at a time:

- faq:  one conversation of FAQ questions (a greeting, then FAQ_TURNS questions), so the
        tracker grows as a real conversation's does;
- form: the complaint form opened and left FORM_TIMES times (each turn calls the action server).

Per run: the Rasa server's CPU time (user + system, from /proc) per turn and the median latency.
A patch's gain is the median over runs without it minus the median with every patch.

    .venv/app/bin/python scripts/measure_patches.py [--rounds 2] [--runs 3]   (20-25 minutes on a busy 2-core machine)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path
from tempfile import TemporaryDirectory

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.servers import Servers, running_servers  # noqa: E402

PATCHES = ["action_reply_schema", "event_lookup"]  # as rasa_server/rasa_fixes.py (this script runs without rasa)
FAQ = ["携号转网需要满足什么条件", "how do I check 5G coverage", "5G套餐有哪些", "what is VoLTE"]
FORM = [("我要投诉", "算了"), ("I want to file a complaint", "stop")]
FAQ_TURNS = 30
FORM_TIMES = 6


def setups() -> dict[str, str]:
    """Set-up name -> RASA_PATCHES."""
    return {
        "all": "on",
        **{f"without {name}": ",".join(p for p in PATCHES if p != name) for name in PATCHES},
        "none": "off",
    }


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its waited-for children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def texts(kind: str) -> list[str]:
    if kind == "faq":
        return [FAQ[i % len(FAQ)] for i in range(FAQ_TURNS)]
    return [text for i in range(FORM_TIMES) for text in FORM[i % len(FORM)]]


def run(servers: Servers, kind: str) -> dict[str, float]:
    """One run of `kind` in a new conversation: Rasa CPU ms per turn, median latency ms."""
    session, sender = requests.Session(), f"measure-{uuid.uuid4().hex[:10]}"
    servers.timed_turn(session, sender, "你好")  # the session start, not measured
    pid = servers.pids["rasa"]
    before = cpu_seconds(pid)
    latencies = [servers.timed_turn(session, sender, text) for text in texts(kind)]
    cpu = cpu_seconds(pid) - before
    return {
        "cpu_ms_per_turn": round(cpu * 1000 / len(latencies), 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
    }


def measure(setting: str, runs: int) -> dict[str, list[dict[str, float]]]:
    with TemporaryDirectory() as tmp:
        with running_servers(Path(tmp), env_extra={"RASA_PATCHES": setting}) as servers:
            log = (servers.logs / "rasa.log").read_text()
            if "Rasa patches" not in log:
                raise RuntimeError("the Rasa server did not say which patches it installed")
            for kind in ("faq", "form"):
                run(servers, kind)  # warm-up
            return {kind: [run(servers, kind) for _ in range(runs)] for kind in ("faq", "form")}


def summary(results: dict[str, dict[str, list[dict[str, float]]]]) -> dict:
    out: dict = {}
    for name, kinds in results.items():
        out[name] = {}
        for kind, runs in kinds.items():
            cpu = [r["cpu_ms_per_turn"] for r in runs]
            out[name][kind] = {
                "runs": len(runs),
                "cpu_ms_per_turn_median": round(statistics.median(cpu), 2),
                "cpu_ms_per_turn_min": min(cpu),
                "cpu_ms_per_turn_max": max(cpu),
                "p50_ms_median": round(statistics.median(r["p50_ms"] for r in runs), 1),
            }
    for name in [n for n in out if n.startswith("without ")] + ["none"]:
        for kind in ("faq", "form"):
            mine, base = out[name][kind], out["all"][kind]
            mine["gain_cpu_ms_per_turn"] = round(mine["cpu_ms_per_turn_median"] - base["cpu_ms_per_turn_median"], 2)
            # Within noise when the runs with and without it overlap.
            mine["beyond_noise"] = mine["cpu_ms_per_turn_min"] > base["cpu_ms_per_turn_max"]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="server starts per set-up (interleaved)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs of each kind per server start")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "rasa_patches.json")
    args = parser.parse_args()
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for round_ in range(args.rounds):
        for name, setting in setups().items():
            print(f"round {round_ + 1}: {name} (RASA_PATCHES={setting})", file=sys.stderr, flush=True)
            for kind, runs in measure(setting, args.runs).items():
                results.setdefault(name, {}).setdefault(kind, []).extend(runs)
            # written after every set-up: an interrupted measurement keeps what it measured
            report = {"when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "rounds_started": round_ + 1}
            report["runs"] = results
            args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    report["summary"] = summary(results)
    args.out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
    print(json.dumps(report["summary"], indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
