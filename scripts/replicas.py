"""Two of each server behind HAProxy on this machine: the production shape of docs/deploy.md, for real.

    .venv/app/bin/python scripts/replicas.py up        # start, print the addresses, Ctrl-C stops

Starts a PostgreSQL instance of its own (Debian's binaries, a temporary data directory, a free
port: never the machine's shared server), two action servers, two Rasa servers (PostgreSQL
tracker store, the atomic Redis lock store of rasa_server/locks.py on 127.0.0.1:6379 under a key prefix
of their own, one Sanic worker each, the model from a small ETag model server), two desk web
processes, and HAProxy in front:

- `/socket.io` sticky by cookie; REST, WeChat and the HTTP API round robin, not sticky;
- a Rasa server gets traffic only while `GET /status?token=...` answers 200 (model loaded),
  not on `/`, which answers before the model is usable;
- connection failures are retried on the other server (what a Service + readiness do on Kubernetes);
- the Rasa servers reach the action servers through HAProxy too.

The replicas test (tests/replicas/) and the capacity measurement use the same `Cluster`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.server
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
SERVER_BIN = ROOT / ".venv" / "server" / "bin"
APP_BIN = ROOT / ".venv" / "app" / "bin"
MODEL = Path(os.environ.get("E2E_MODEL", ROOT / "models" / "bot.tar.gz"))
BASE_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONDONTWRITEBYTECODE": "1",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: object, seconds: float, what: str, interval: float = 0.5) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (requests.RequestException, OSError):
            pass
        time.sleep(interval)
    raise TimeoutError(f"{what}: not within {seconds:.0f} s")


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise RuntimeError(
            "PostgreSQL's binaries not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)"
        )
    return found[-1].parent


class Postgres:
    """A throwaway PostgreSQL server: its own data directory and port, trust authentication on 127.0.0.1."""

    def __init__(self, name: str) -> None:
        self.bin = postgres_bin()
        # A directory of its own under /tmp: the postgres user may not enter the caller's (e.g. pytest's, mode 700).
        self.base = Path(tempfile.mkdtemp(prefix=f"g5care-pg-{name}-"))
        self.base.chmod(0o755)
        self.dir = self.base / "data"
        self.port = free_port()
        self.log = self.base / "postgres.log"
        # PostgreSQL refuses to run as root: as root, run it as the system's postgres user.
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/g5care"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self.dir.mkdir(parents=True)
        self.log.touch()
        if self.as_user:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.log, "postgres", "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "g5care")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-o", options, "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.dir), "-m", "fast", "-w", "stop")

    def is_running(self) -> bool:
        return (self.dir / "postmaster.pid").exists()

    def remove(self) -> None:
        if self.is_running():
            with contextlib.suppress(subprocess.SubprocessError):
                self.stop()
        shutil.rmtree(self.base, ignore_errors=True)


class ModelServer:
    """Serves one model file with an ETag and 304 for If-None-Match, as Rasa's `models` endpoint expects."""

    def __init__(self, workdir: Path, model: Path) -> None:
        self.path = workdir / "served-model.tar.gz"
        self.publish(model)
        self.port = free_port()
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                if self.path.split("?")[0] != "/models/bot.tar.gz":
                    self.send_error(404)
                    return
                etag = server.etag
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                with server.path.open("rb") as model:
                    self.send_response(200)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Type", "application/gzip")
                    self.send_header("Content-Length", str(os.fstat(model.fileno()).st_size))
                    self.end_headers()
                    shutil.copyfileobj(model, self.wfile)

            def log_message(self, *_: object) -> None:
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/models/bot.tar.gz"

    def publish(self, model: Path) -> str:
        """Replace the served model (atomically); returns its ETag (a hash of the file)."""
        digest = hashlib.sha256()
        with model.open("rb") as source:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
        tmp = self.path.with_suffix(".tmp")
        shutil.copyfile(model, tmp)
        tmp.replace(self.path)
        self.etag = '"' + digest.hexdigest()[:32] + '"'
        return self.etag

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@dataclass
class Replica:
    name: str
    port: int
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log.open("a")
        self.process = subprocess.Popen(
            ["nice", "-n", "5", *self.command], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )

    def signal(self, signum: int) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signum)

    def wait(self, seconds: float) -> int | None:
        if not self.process:
            return None
        try:
            return self.process.wait(seconds)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            if self.wait(30) is None:
                self.process.kill()
                self.process.wait()


@dataclass
class Cluster:
    workdir: Path
    model: Path = MODEL
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24).replace("-", "x"))
    lock_prefix: str = field(default_factory=lambda: "lb" + secrets.token_hex(6))
    lock_lifetime: float = 10.0
    model_pull_seconds: int = 2
    # The application's database (complaints, desk) and the conversations' (Rasa's tracker store), apart:
    # the outage test stops the first while conversations go on.
    postgres: Postgres | None = None
    tracker_postgres: Postgres | None = None
    model_server: ModelServer | None = None
    rasa: list[Replica] = field(default_factory=list)
    actions: list[Replica] = field(default_factory=list)
    web: list[Replica] = field(default_factory=list)
    haproxy: subprocess.Popen | None = None
    lb_port: int = 0
    actions_lb_port: int = 0
    stats_socket: Path | None = None

    # -- addresses ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.lb_port}"

    @property
    def database_url(self) -> str:
        assert self.postgres
        return self.postgres.url

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            **BASE_ENV,
            "DATABASE_URL": self.database_url,
            "SPOOL_DIR": str(self.workdir / "spool"),
            "RASA_TOKEN": self.token,
            "TRACKER_DATABASE_URL": self.tracker_postgres.url if self.tracker_postgres else "",
            "NOTIFY_WORKER_ENABLED": "false",
            **extra,
        }

    # -- start and stop -------------------------------------------------------------------------

    def start(self, replicas: int = 2) -> None:
        if not self.model.exists():
            raise RuntimeError(f"no trained model at {self.model}: run `make train`")
        if not shutil.which("haproxy"):
            raise RuntimeError("haproxy not installed (scripts/lib.sh ensure_haproxy)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.postgres = Postgres("app")
        self.postgres.init()
        self.tracker_postgres = Postgres("conversations")
        self.tracker_postgres.init()
        env = self.env()
        subprocess.run(
            [str(APP_BIN / "alembic"), "upgrade", "head"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run(
            [str(APP_BIN / "python"), "-m", "bot.cli", "load-sample-catalogue"],
            cwd=ROOT, env={**env, "LOAD_SAMPLE_CATALOGUE": "true"}, check=True, capture_output=True,
        )  # fmt: skip
        self.model_server = ModelServer(self.workdir, self.model)
        self.lb_port, self.actions_lb_port = free_port(), free_port()
        for i in range(replicas):
            self.actions.append(self._action_replica(i))
            self.web.append(self._web_replica(i))
            self.rasa.append(self._rasa_replica(i))
        self.write_haproxy_config()
        for replica in [*self.actions, *self.web, *self.rasa]:
            replica.start()
        self._start_haproxy()
        for replica in self.actions:
            wait_until(
                lambda r=replica: requests.get(f"http://127.0.0.1:{r.port}/health", timeout=2).ok, 90, r_name(replica)
            )
        for replica in self.web:
            wait_until(
                lambda r=replica: requests.get(f"http://127.0.0.1:{r.port}/healthz", timeout=2).ok, 90, r_name(replica)
            )
        for replica in self.rasa:
            self.wait_ready(replica, 300)
        wait_until(lambda: self.servers_up("rasa") == len(self.rasa), 30, "HAProxy sees every Rasa server up")

    def stop(self) -> None:
        if self.haproxy and self.haproxy.poll() is None:
            self.haproxy.terminate()
            self.haproxy.wait(10)
        for replica in [*self.rasa, *self.actions, *self.web]:
            replica.stop()
        if self.model_server:
            self.model_server.close()
        for postgres in (self.postgres, self.tracker_postgres):
            if postgres:
                with contextlib.suppress(OSError):
                    shutil.copyfile(postgres.log, self.workdir / f"postgres-{postgres.base.name}.log")
                postgres.remove()
        with contextlib.suppress(Exception):
            subprocess.run(["rabbitmqctl", "delete_queue", self.event_queue], capture_output=True, timeout=60)
        with contextlib.suppress(Exception):
            import redis

            client = redis.Redis(host="127.0.0.1", port=6379, db=0)
            for key in client.scan_iter(f"{self.lock_prefix}:*"):
                client.delete(key)

    def _action_replica(self, i: int) -> Replica:
        port = free_port()
        command = [str(APP_BIN / "python"), "-m", "actions", "--port", str(port)]
        return Replica(f"actions{i}", port, command, self.env(), self.workdir / f"actions{i}.log")

    def _web_replica(self, i: int) -> Replica:
        port = free_port()
        command = [str(APP_BIN / "uvicorn"), "bot.web.app:create_app", "--factory", "--ws", "none"]
        command += ["--host", "127.0.0.1", "--port", str(port)]
        return Replica(f"web{i}", port, command, self.env(), self.workdir / f"web{i}.log")

    @property
    def event_queue(self) -> str:
        return f"{self.lock_prefix}_events"

    def queued_events(self) -> int:
        """Messages waiting in this cluster's event queue (rabbitmqctl; nothing consumes them here)."""
        out = subprocess.run(
            ["rabbitmqctl", "list_queues", "--quiet", "--no-table-headers", "name", "messages"],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        counts = dict(line.split() for line in out.stdout.splitlines() if len(line.split()) == 2)
        return int(counts.get(self.event_queue, 0))

    def rasa_endpoints(self) -> Path:
        assert self.tracker_postgres and self.model_server
        path = self.workdir / "endpoints.yml"
        endpoints = {
            "action_endpoint": {"url": f"http://127.0.0.1:{self.actions_lb_port}/webhook"},
            "tracker_store": {
                "type": "rasa_server.trackers.WindowedSQLTrackerStore",
                "dialect": "postgresql",
                "url": "127.0.0.1",
                "port": self.tracker_postgres.port,
                "db": "g5care",
                "username": "postgres",
            },
            "lock_store": {
                "type": "rasa_server.locks.AtomicRedisLockStore",
                "url": "127.0.0.1",
                "port": 6379,
                "db": 0,
                "key_prefix": self.lock_prefix,
                "lock_lifetime": self.lock_lifetime,
            },
            "models": {"url": self.model_server.url, "wait_time_between_pulls": self.model_pull_seconds},
            # RabbitMQ on this machine (guest), a durable queue of this cluster's own, deleted at stop.
            "event_broker": {
                "type": "pika",
                "url": "127.0.0.1",
                "port": 5672,
                "username": "guest",
                "password": "guest",
                "queues": [self.event_queue],
            },
        }
        path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
        return path

    def _rasa_replica(self, i: int) -> Replica:
        port = free_port()
        command = [str(SERVER_BIN / "python"), "-m", "rasa_server", "run", "--enable-api", f"--auth-token={self.token}"]
        command += ["--interface", "127.0.0.1", "--port", str(port), "--credentials", "credentials.yml"]
        command += ["--endpoints", str(self.rasa_endpoints())]
        env = self.env(SANIC_WORKERS="1", SANIC_GRACEFUL_SHUTDOWN_TIMEOUT=str(int(self.lock_lifetime) + 5))
        return Replica(f"rasa{i}", port, command, env, self.workdir / f"rasa{i}.log")

    def status(self, replica: Replica) -> dict:
        response = requests.get(f"http://127.0.0.1:{replica.port}/status", params={"token": self.token}, timeout=5)
        return response.json() if response.status_code == 200 else {}

    def wait_ready(self, replica: Replica, seconds: float) -> None:
        def ready() -> bool:
            if replica.process and replica.process.poll() is not None:
                raise RuntimeError(f"{replica.name} exited:\n{replica.log.read_text()[-3000:]}")
            return bool(self.status(replica).get("model_id"))

        wait_until(ready, seconds, f"{replica.name} model loaded")

    def restart(self, replica: Replica, signum: int = signal.SIGTERM, wait_ready: bool = True) -> float:
        """Stops a replica with `signum`, starts it again; returns how long it took to stop."""
        started = time.monotonic()
        replica.signal(signum)
        if replica.wait(60) is None:
            raise RuntimeError(f"{replica.name} did not stop within 60 s of signal {signum}")
        took = time.monotonic() - started
        replica.start()
        if wait_ready:
            self.wait_ready(replica, 300)
        return took

    # -- HAProxy --------------------------------------------------------------------------------

    def write_haproxy_config(self) -> Path:
        self.stats_socket = self.workdir.resolve() / "haproxy.sock"  # HAProxy wants an absolute path
        check_rasa = f"http-check send meth GET uri /status?token={self.token}\n    http-check expect status 200"
        lines = [
            "global",
            f"    stats socket {self.stats_socket} mode 600 level admin",
            "    maxconn 2000",
            "defaults",
            "    mode http",
            "    timeout connect 2s",
            "    timeout client 120s",
            "    timeout server 120s",
            "    timeout tunnel 1h",
            "    retries 3",
            "    option redispatch",
            # A refused connection (a server stopping), or one closed with nothing answered, is retried
            # on another server; a request that got part of an answer is not: the client may resend.
            "    retry-on conn-failure empty-response",
            # A stopping server closes its idle keep-alive connections: never send a request on one.
            "    http-reuse never",
            # A server loading a new model is busy for seconds (its event loop blocked): a check may wait
            # for it (it answers after); a stopped or killed server refuses at once and is out in 2 s.
            "    timeout check 10s",
            "    default-server inter 1s fall 2 rise 1",
            "frontend bot",
            f"    bind 127.0.0.1:{self.lb_port}",
            "    acl socketio path_beg /socket.io",
            "    acl rasa path_beg /webhooks /status /conversations /model /version",
            "    use_backend rasa_socketio if socketio",
            "    use_backend rasa if rasa",
            "    default_backend web",
            "backend rasa",
            "    balance roundrobin",
            "    option httpchk",
            f"    {check_rasa}",
            *[f"    server {r.name} 127.0.0.1:{r.port} check" for r in self.rasa],
            "backend rasa_socketio",
            "    balance roundrobin",
            "    cookie g5care_chat insert indirect nocache httponly",
            "    option httpchk",
            f"    {check_rasa}",
            *[f"    server {r.name} 127.0.0.1:{r.port} check cookie {r.name}" for r in self.rasa],
            "backend web",
            "    balance roundrobin",
            "    option httpchk GET /healthz",
            *[f"    server {r.name} 127.0.0.1:{r.port} check" for r in self.web],
            "frontend actions",
            f"    bind 127.0.0.1:{self.actions_lb_port}",
            "    default_backend actions",
            "backend actions",
            "    balance roundrobin",
            "    option httpchk GET /health",
            *[f"    server {r.name} 127.0.0.1:{r.port} check" for r in self.actions],
        ]
        path = self.workdir / "haproxy.cfg"
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o600)  # it holds the token (health checks)
        return path

    def _start_haproxy(self) -> None:
        config = self.workdir / "haproxy.cfg"
        check = subprocess.run(["haproxy", "-c", "-f", str(config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy configuration refused:\n{check.stdout}{check.stderr}")
        log = (self.workdir / "haproxy.log").open("a")
        self.haproxy = subprocess.Popen(["haproxy", "-db", "-f", str(config)], stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: self.stats_socket and self.stats_socket.exists(), 20, "HAProxy started")

    def haproxy_command(self, command: str) -> str:
        assert self.stats_socket
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.connect(str(self.stats_socket))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_stats(self, backend: str) -> dict[str, dict[str, str]]:
        """HAProxy's counters per server of a backend: status (UP/DOWN), stot (sessions), ..."""
        lines = self.haproxy_command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        rows = [dict(zip(header, line.split(","), strict=False)) for line in lines[1:] if line]
        return {
            row["svname"]: row
            for row in rows
            if row.get("pxname") == backend and row.get("svname") not in {"FRONTEND", "BACKEND"}
        }

    def servers_up(self, backend: str) -> int:
        return sum(row["status"].startswith("UP") for row in self.server_stats(backend).values())


def r_name(replica: Replica) -> str:
    return f"{replica.name} (port {replica.port}) healthy"


# -- users --------------------------------------------------------------------------------------

TICKET = re.compile(r"C\d{8}-\d{4,5}")


@dataclass
class Said:
    messages: list[dict]
    resent: int  # how many times the message had to be sent again (no answer, an error, an empty answer)

    @property
    def text(self) -> str:
        return "\n".join(str(m.get("text", "")) for m in self.messages)


def say(base_url: str, sender: str, text: str, resend: bool = True, attempts: int = 30) -> Said:
    """One user turn through the REST channel, resent (as WeChat resends a callback) when nothing came back."""
    last = ""
    for attempt in range(attempts if resend else 1):
        try:
            response = requests.post(
                f"{base_url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120
            )
            if response.status_code == 200 and response.json():
                return Said(response.json(), attempt)
            last = f"{response.status_code} {response.text[:80]!r}"
        except (requests.RequestException, ValueError) as error:
            last = repr(error)[:120]
        if resend:
            time.sleep(1.0)
    raise AssertionError(f"{sender}: no answer to {text!r} after {attempts if resend else 1} attempt(s): {last}")


def choose(key: str) -> str:
    return "/choose" + json.dumps({"choice": key})


def complaint_turns(number: int) -> list[str]:
    """An English complaint about an add-on never ordered, filed to the end; phone 139NNNN5678."""
    return [
        "I want to complain, I was charged for a data add-on I never ordered",
        choose("unauthorized_change"),
        f"+86 139 {number % 10000:04d} 5678",
        "China Unicom",
        "yes",
        "yes",
    ]


@dataclass
class Filed:
    sender: str
    ticket: str | None
    queued: bool
    resent: int
    replies: list[str]


def file_complaint(base_url: str, sender: str, number: int, resend: bool = True) -> Filed:
    replies, resent = [], 0
    for text in complaint_turns(number):
        said = say(base_url, sender, text, resend=resend)
        replies.append(said.text)
        resent += said.resent
    found = TICKET.search(replies[-1])
    queued = "queued" in replies[-1]
    return Filed(sender, found.group(0) if found else None, queued, resent, replies)


@contextlib.contextmanager
def running_cluster(workdir: Path | None = None, **options: object) -> Iterator[Cluster]:
    temp = None
    if workdir is None:
        temp = tempfile.mkdtemp(prefix="g5care-replicas-")
        workdir = Path(temp)
    cluster = Cluster(workdir, **options)  # type: ignore[arg-type]
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


# -- capacity ------------------------------------------------------------------------------------

TURNS = {
    "faq": [
        "5G套餐可以随时取消吗",
        "What is 5G SA?",
        "携号转网需要满足什么条件",
        "Why does my phone drop from 5G to 4G?",
    ],
    "lookup": ["北京市东城区有5G吗", "is there 5G in Pudong, Shanghai?", "iPhone 12支持移动5G吗", "那华为Mate 40呢"],
}


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(value) for value in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load(cluster: Cluster, kind: str, users: int, seconds: float) -> dict[str, float]:
    """`users` simulated users sending `kind` turns back to back for `seconds`; answers, CPU, latency."""
    stop = threading.Event()
    latencies: list[float] = []
    errors = [0]

    def user(n: int) -> None:
        turn, conversation = 0, 0
        while not stop.is_set():
            sender = f"bench-{kind}-{n}-{conversation}-{secrets.token_hex(3)}"
            script = complaint_turns(n) if kind == "form" else [TURNS[kind][(n + turn) % len(TURNS[kind])]]
            for text in script:
                if stop.is_set():
                    break
                started = time.monotonic()
                try:
                    say(cluster.url, sender, text, resend=False)
                    latencies.append(time.monotonic() - started)
                except AssertionError:
                    errors[0] += 1
                turn += 1
            conversation += 1 if kind == "form" or turn % 5 == 0 else 0

    rasa = [r.process.pid for r in cluster.rasa if r.process]
    actions = [r.process.pid for r in cluster.actions if r.process]
    threads = [threading.Thread(target=user, args=(n,)) for n in range(users)]
    rasa_before, actions_before, started = cpu_seconds(rasa), cpu_seconds(actions), time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    rasa_cpu, actions_cpu = cpu_seconds(rasa) - rasa_before, cpu_seconds(actions) - actions_before
    cpu = rasa_cpu + actions_cpu
    latencies.sort()
    answered = len(latencies)
    return {
        "answered": answered,
        "errors": errors[0],
        "seconds": round(elapsed, 1),
        "per_second": round(answered / elapsed, 2),
        "cpu_seconds": round(cpu, 1),
        "rasa_cpu_seconds": round(rasa_cpu, 1),
        "actions_cpu_seconds": round(actions_cpu, 1),
        "per_core_second": round(answered / cpu, 2) if cpu else 0.0,
        "p50_ms": round(1000 * latencies[answered // 2], 1) if answered else 0.0,
        "p95_ms": round(1000 * latencies[int(answered * 0.95)], 1) if answered else 0.0,
    }


def only_first_replica(cluster: Cluster, only: bool) -> None:
    for replica in cluster.rasa[1:]:
        for backend in ("rasa", "rasa_socketio"):
            action = "disable" if only else "enable"
            cluster.haproxy_command(f"{action} server {backend}/{replica.name}")


def bench(cluster: Cluster, users: int, seconds: float) -> dict[str, object]:
    figures: dict[str, object] = {"users": users, "seconds_per_run": seconds, "cores": os.cpu_count()}
    for kind in ("faq", "lookup", "form"):
        load(cluster, kind, users, 5)  # warm-up: caches, connections
        for replicas in (1, 2):
            only_first_replica(cluster, replicas == 1)
            time.sleep(2)
            figures[f"{kind}_{replicas}"] = load(cluster, kind, users, seconds)
        only_first_replica(cluster, False)
        one, two = figures[f"{kind}_1"], figures[f"{kind}_2"]
        figures[f"{kind}_scaling"] = round(two["per_second"] / (2 * one["per_second"]), 2)  # type: ignore[index]
    figures["rss_mb"] = {
        r.name: round(rss_mb(r.process.pid), 0) for r in [*cluster.rasa, *cluster.actions, *cluster.web] if r.process
    }
    return figures


# A day's messages: 6 per conversation; the mix of turns; the busiest hour against the day's average.
MESSAGES_PER_CONVERSATION = 6
MIX = {"faq": 0.5, "lookup": 0.2, "form": 0.3}
PEAK_FACTOR = 3.0
TARGET_UTILISATION = 0.65  # the autoscalers' CPU target (deploy/base/hpa.yaml), rounded


def capacity_table(figures: dict) -> str:
    """Replicas, cores and memory for 100 k, 1 M and 10 M conversations a day, from the measured costs."""
    runs = {kind: figures[f"{kind}_2"] for kind in MIX}
    rasa_cost = sum(share * runs[k]["rasa_cpu_seconds"] / runs[k]["answered"] for k, share in MIX.items())
    actions_cost = sum(share * runs[k]["actions_cpu_seconds"] / runs[k]["answered"] for k, share in MIX.items())
    rss = figures["rss_mb"]
    rasa_mb = max(v for k, v in rss.items() if k.startswith("rasa"))
    actions_mb = max(v for k, v in rss.items() if k.startswith("actions"))
    rows = [
        "| conversations / day | peak messages / s | Rasa pods (1 core each) | action server pods (1 core) "
        "| cores | memory |",
        "|---|---|---|---|---|---|",
    ]
    for per_day in (100_000, 1_000_000, 10_000_000):
        peak = per_day * MESSAGES_PER_CONVERSATION / 86_400 * PEAK_FACTOR
        rasa_pods = max(2, math.ceil(peak * rasa_cost / TARGET_UTILISATION))
        actions_pods = max(2, math.ceil(peak * actions_cost / TARGET_UTILISATION))
        memory_gb = (rasa_pods * rasa_mb + actions_pods * actions_mb) / 1024
        rows.append(
            f"| {per_day:,} | {peak:.0f} | {rasa_pods} | {actions_pods} | {rasa_pods + actions_pods} "
            f"| {memory_gb:.1f} GB |"
        )
    notes = (
        f"Measured costs: {1000 * rasa_cost:.1f} ms of Rasa CPU and {1000 * actions_cost:.1f} ms of action "
        f"server CPU per message (mix {MIX}); {MESSAGES_PER_CONVERSATION} messages per conversation; "
        f"peak factor {PEAK_FACTOR}; pods at {TARGET_UTILISATION:.0%} CPU; Rasa {rasa_mb:.0f} MB and action "
        f"server {actions_mb:.0f} MB resident per pod."
    )
    return "\n".join(rows) + "\n\n" + notes + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "bench"], help="up: start and wait; bench: measure capacity")
    parser.add_argument("--workdir", type=Path, default=ROOT / "var" / "replicas")
    parser.add_argument("--users", type=int, default=8, help="bench: simulated users sending at once")
    parser.add_argument("--seconds", type=float, default=30, help="bench: length of each run")
    args = parser.parse_args(argv)
    shutil.rmtree(args.workdir, ignore_errors=True)
    with running_cluster(args.workdir) as cluster:
        if args.command == "bench":
            figures = bench(cluster, args.users, args.seconds)
            out = ROOT / "results" / "capacity.json"
            out.parent.mkdir(exist_ok=True)
            out.write_text(json.dumps(figures, indent=2) + "\n")
            (out.parent / "capacity.md").write_text(capacity_table(figures))
            print(json.dumps(figures, indent=2))
            print(capacity_table(figures))
            print(f"written to {out} and {out.parent / 'capacity.md'}")
            return 0
        print(f"load balancer   {cluster.url}/  (chat page, /desk/, /webhooks/rest/webhook, /socket.io)")
        print(f"Rasa servers    {', '.join(f'127.0.0.1:{r.port}' for r in cluster.rasa)}  (token: RASA_TOKEN below)")
        assert cluster.tracker_postgres
        print(f"PostgreSQL      {cluster.database_url} (conversations: port {cluster.tracker_postgres.port})")
        print(f"logs            {args.workdir}/")
        print(f"RASA_TOKEN={cluster.token}")
        with contextlib.suppress(KeyboardInterrupt):
            signal.pause()
    return 0


if __name__ == "__main__":
    sys.exit(main())
