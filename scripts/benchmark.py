"""Serving benchmark through the real servers over HTTP (application environment).

Starts the action server, the Rasa server and the web front twice on free ports of
127.0.0.1 - once as the project runs them (SQLite tracker store) and once as stock
Rasa would (same model, in-memory tracker store) - and measures, after warm-up:
p50/p95/p99 latency and throughput of an FAQ turn, a look-up turn and a complaint-form
turn at 1, 10 and 50 concurrent conversations; the 1st/50th/200th message of one long
conversation; resident memory; model load time. Every loop is bounded in requests
and time. Writes results/benchmarks.json and docs/benchmarks.md.

    .venv/app/bin/python scripts/benchmark.py            (about 10 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from tempfile import TemporaryDirectory

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.servers import Servers, running_servers  # noqa: E402

TURNS = {
    "faq": ["携号转网需要满足什么条件", "how do I check 5G coverage"],
    "lookup": ["北京市海淀区有5G吗", "is there 5G in Pudong, Shanghai?"],
    "form": ["我要投诉", '/choose{"choice": "billing"}'],
}
CONCURRENCY = (1, 10, 50)
TIME_LIMIT_S = 60.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def turn(servers: Servers, session: requests.Session, sender: str, text: str) -> float:
    start = time.perf_counter()
    response = session.post(
        f"{servers.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
    )
    response.raise_for_status()
    if not response.json():
        raise RuntimeError(f"empty reply to {text!r}")
    return time.perf_counter() - start


def conversation(servers: Servers, kind: str, repeats: int) -> list[float]:
    """One conversation: a warm-up turn (session start), then `repeats` measured turns of `kind`."""
    session = requests.Session()
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    turn(servers, session, sender, "你好")
    timings = []
    for i in range(repeats):
        text = TURNS[kind][i % 2] if kind != "form" else TURNS["form"][0]
        timings.append(turn(servers, session, sender, text))
        if kind == "form":
            turn(servers, session, sender, "算了")  # leave the form so the next turn starts it again
    return timings


def load(servers: Servers, kind: str, concurrency: int, per_conversation: int) -> dict[str, float]:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        futures = [pool.submit(conversation, servers, kind, per_conversation) for _ in range(concurrency)]
        timings = [t for f in futures for t in f.result(timeout=TIME_LIMIT_S * 3)]
    elapsed = time.perf_counter() - started
    return {
        "requests": len(timings),
        "p50_ms": percentile(timings, 0.50),
        "p95_ms": percentile(timings, 0.95),
        "p99_ms": percentile(timings, 0.99),
        "throughput_rps": round(len(timings) / elapsed, 1),
    }


def long_conversation(servers: Servers, messages: int = 200) -> dict[str, float]:
    session = requests.Session()
    sender = f"bench-long-{uuid.uuid4().hex[:8]}"
    timings = [turn(servers, session, sender, TURNS["faq"][i % 2]) for i in range(messages)]
    return {f"message_{n}_ms": round(timings[n - 1] * 1000, 1) for n in (1, 50, 200) if n <= messages}


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def measure(name: str, endpoints_extra: dict | None, quick: bool) -> dict:
    with TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with running_servers(Path(tmp), endpoints_extra) as servers:
            ready_s = round(time.perf_counter() - started, 1)
            for kind in TURNS:  # warm-up
                conversation(servers, kind, 3)
            result: dict = {"setup": name, "ready_s": ready_s, "turns": {}}
            for kind in TURNS:
                for concurrency in CONCURRENCY if not quick else (1, 10):
                    per = max(3, 60 // concurrency) if not quick else 3
                    result["turns"][f"{kind}@{concurrency}"] = load(servers, kind, concurrency, per)
            result["long_conversation"] = long_conversation(servers, 50 if quick else 200)
            result["rss_mb"] = {name: rss_mb(pid) for name, pid in servers.pids.items()}
            return result


def machine() -> dict:
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": memory.split(":", 1)[1].strip(),
        "python": sys.version.split()[0],
    }


def markdown(report: dict) -> str:
    lines = [
        "# Benchmarks",
        "",
        f"Run: {report['when']} ({'quick smoke run' if report['quick'] else 'full run'}), `scripts/benchmark.py`.",
        f"Machine: {report['machine']}",
        "",
        "## Serving",
        "",
    ]
    lines += ["| turn @ concurrency | setup | p50 ms | p95 ms | p99 ms | req/s |", "|---|---|---|---|---|---|"]
    for key in report["runs"][0]["turns"]:
        for run in report["runs"]:
            t = run["turns"][key]
            lines.append(
                f"| {key} | {run['setup']} | {t['p50_ms']} | {t['p95_ms']} | {t['p99_ms']} | {t['throughput_rps']} |"
            )
    lines += ["", "| setup | ready s | RSS MB | long conversation 1st / 50th / 200th ms |", "|---|---|---|---|"]
    for run in report["runs"]:
        long = " / ".join(str(v) for v in run["long_conversation"].values())
        lines.append(f"| {run['setup']} | {run['ready_s']} | {run['rss_mb']} | {long} |")
    lines += [
        "",
        "## NLU (held-out)",
        "",
        "```",
        json.dumps(report.get("nlu", {}), indent=1, ensure_ascii=False),
        "```",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (a smoke run)")
    args = parser.parse_args()
    runs = [
        measure("project (SQLite tracker store)", None, args.quick),
        measure("stock set-up (in-memory tracker store)", {"tracker_store": None}, args.quick),
    ]
    nlu_path = ROOT / "results" / "nlu_heldout.json"
    nlu = json.loads(nlu_path.read_text())["by_language"] if nlu_path.exists() else {}
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    report = {"when": when, "quick": args.quick, "machine": machine(), "runs": runs, "nlu": nlu}
    (ROOT / "results").mkdir(exist_ok=True)
    (ROOT / "results" / "benchmarks.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (ROOT / "docs" / "benchmarks.md").write_text(markdown(report))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
