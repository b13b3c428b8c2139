"""Starts the real action server, Rasa server and web front for end-to-end tests."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parents[2]
MODEL = Path(os.environ.get("E2E_MODEL", ROOT / "models" / "bot.tar.gz"))
SERVER_BIN = ROOT / ".venv" / "server" / "bin"
APP_BIN = ROOT / ".venv" / "app" / "bin"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Servers:
    rasa_url: str
    web_url: str
    token: str
    tracker_db: Path
    app_db: Path
    logs: Path
    pids: dict[str, int]

    def send(self, sender: str, text: str, **extra: object) -> list[dict]:
        """One user turn through the REST channel; the bot's messages."""
        response = requests.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text, **extra}, timeout=60
        )
        response.raise_for_status()
        return response.json()

    def timed_turn(self, session: requests.Session, sender: str, text: str) -> float:
        """One user turn through the REST channel on a kept-alive session; its seconds (an empty reply is an error)."""
        started = time.perf_counter()
        response = session.post(
            f"{self.rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=60
        )
        response.raise_for_status()
        if not response.json():
            raise RuntimeError(f"empty reply to {text!r}")
        return time.perf_counter() - started


def wait_for(url: str, seconds: float, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited early:\n{log.read_text()[-3000:]}")
        try:
            if requests.get(url, timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} not ready after {seconds}s:\n{log.read_text()[-3000:]}")


@contextmanager
def running_servers(
    workdir: Path,
    endpoints_extra: dict | None = None,
    env_extra: dict[str, str] | None = None,
    model: Path | None = None,
    credentials: Path | None = None,
) -> Iterator[Servers]:
    """The three servers on free ports; `env_extra` adds environment variables (e.g. channel secrets)."""
    workdir.mkdir(parents=True, exist_ok=True)
    model = model or MODEL
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `make train` (the test command trains first)")
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    token = secrets.token_urlsafe(16)
    tracker_db = workdir / "tracker.db"
    endpoints = {
        "action_endpoint": {"url": f"http://127.0.0.1:{action_port}/webhook"},
        "tracker_store": {
            "type": "rasa_server.trackers.WindowedSQLTrackerStore",
            "dialect": "sqlite",
            "db": str(tracker_db),
        },
        **(endpoints_extra or {}),
    }
    endpoints = {key: value for key, value in endpoints.items() if value is not None}
    (workdir / "endpoints.yml").write_text(yaml.safe_dump(endpoints))
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "PYTHONWARNINGS": "ignore",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "RASA_PORT": str(rasa_port),
        "ACTION_PORT": str(action_port),
        "WEB_PORT": str(web_port),
        "DATABASE_URL": f"sqlite:///{workdir / 'app.db'}",
        "SPOOL_DIR": str(workdir / "spool"),
        **(env_extra or {}),
    }
    commands = {
        # rasa_sdk with numbers masked in its log from the start (actions/__main__.py)
        "actions": [str(APP_BIN / "python"), "-m", "actions", "--port", str(action_port)],
        "rasa": [
            # Rasa's command line as the project starts it (rasa_server/startup.py)
            str(SERVER_BIN / "python"),
            "-m",
            "rasa_server",
            "run",
            "--model",
            str(model),
            "--enable-api",
            # One argument with "=": a token may begin with "-", which argparse would take for an option.
            f"--auth-token={token}",
            "--cors",
            "*",
            "--interface",
            "127.0.0.1",
            "--port",
            str(rasa_port),
            "--credentials",
            str(credentials or "credentials.yml"),
            "--endpoints",
            str(workdir / "endpoints.yml"),
        ],  # fmt: skip
        "web": [
            str(APP_BIN / "uvicorn"),
            "bot.web.app:create_app",
            "--factory",
            "--ws",
            "none",
            "--host",
            "127.0.0.1",
            "--port",
            str(web_port),
        ],  # fmt: skip
    }
    subprocess.run(
        [str(APP_BIN / "alembic"), "-x", f"url={env['DATABASE_URL']}", "upgrade", "head"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    subprocess.run(
        [str(APP_BIN / "python"), "-m", "bot.cli", "load-sample-catalogue"], cwd=ROOT, env=env, check=True,
        capture_output=True,
    )  # fmt: skip
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            log = (workdir / f"{name}.log").open("w")
            processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        wait_for(f"http://127.0.0.1:{action_port}/health", 60, processes["actions"], workdir / "actions.log")
        wait_for(f"http://127.0.0.1:{web_port}/healthz", 60, processes["web"], workdir / "web.log")
        wait_for(f"http://127.0.0.1:{rasa_port}/status?token={token}", 240, processes["rasa"], workdir / "rasa.log")
        yield Servers(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            web_url=f"http://127.0.0.1:{web_port}",
            token=token,
            tracker_db=tracker_db,
            app_db=workdir / "app.db",
            logs=workdir,
            pids={name: process.pid for name, process in processes.items()},
        )
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
