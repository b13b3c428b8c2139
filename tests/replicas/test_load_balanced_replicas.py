"""Two Rasa servers, two action servers and two desk processes behind HAProxy, on this machine.

The cluster of scripts/replicas.py: PostgreSQL instances of its own (conversations and
application data apart), the atomic Redis lock, the model from an ETag model server. Users talk
through the load balancer's REST channel and resend a message that got no answer, as the WeChat
platform resends a callback. Needs a trained model (models/bot.tar.gz), haproxy, Redis on
127.0.0.1:6379 and PostgreSQL's binaries; about 5 minutes.
"""

from __future__ import annotations

import importlib.util
import io
import json
import shutil
import signal
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import requests

from tests.conftest import ROOT

pytestmark = pytest.mark.replicas

_spec = importlib.util.spec_from_file_location("replicas", ROOT / "scripts" / "replicas.py")
replicas = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
sys.modules["replicas"] = replicas
_spec.loader.exec_module(replicas)  # type: ignore[union-attr]

CONVERSATIONS = 50
FAQ = ["5G套餐可以随时取消吗", "What is 5G SA?", "携号转网需要满足什么条件", "Why does my phone drop from 5G to 4G?"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    if not replicas.MODEL.exists():
        pytest.skip("no trained model at models/bot.tar.gz")
    if not shutil.which("haproxy"):
        pytest.skip("haproxy is not installed (scripts/lib.sh ensure_haproxy)")
    with replicas.running_cluster(tmp_path_factory.mktemp("replicas")) as running:
        yield running


def records(cluster: object, prefix: str) -> list[tuple[str, str]]:
    with psycopg.connect(cluster.database_url) as db:  # type: ignore[attr-defined]
        rows = db.execute("select sender_id, ticket from complaints where sender_id like %s", (prefix + "%",))
        return [(str(sender), str(ticket)) for sender, ticket in rows.fetchall()]


def sessions(cluster: object) -> dict[str, int]:
    return {name: int(row["stot"]) for name, row in cluster.server_stats("rasa").items()}  # type: ignore[attr-defined]


def file_many(cluster: object, prefix: str, during: object, at_turns: int) -> list[object]:
    """CONVERSATIONS complaints at once; `during()` runs (in its own thread) once `at_turns` turns were answered."""
    answered = 0
    lock = threading.Lock()
    reached = threading.Event()
    real_say = replicas.say

    def counting_say(*args: object, **kwargs: object) -> object:
        nonlocal answered
        said = real_say(*args, **kwargs)
        with lock:
            answered += 1
            if answered >= at_turns:
                reached.set()
        return said

    replicas.say = counting_say
    disruption = threading.Thread(target=lambda: (reached.wait(600), during()))  # type: ignore[operator]
    disruption.start()
    try:
        with ThreadPoolExecutor(CONVERSATIONS) as pool:
            results = list(
                pool.map(lambda n: replicas.file_complaint(cluster.url, f"{prefix}{n:03d}", n), range(CONVERSATIONS))
            )
    finally:
        replicas.say = real_say
        reached.set()
        disruption.join()
    return results


def test_both_replicas_serve_the_model_of_the_model_server(cluster: object) -> None:
    ids = {replica.name: cluster.status(replica)["model_id"] for replica in cluster.rasa}
    assert len(set(ids.values())) == 1, ids
    assert next(iter(ids.values())) == model_id(cluster.model)


def test_a_replica_whose_model_is_not_loaded_gets_no_traffic(cluster: object) -> None:
    loading = cluster.rasa[1]
    loading.signal(signal.SIGTERM)
    assert loading.wait(60) is not None
    # Started against a model server that has no model: `/` answers, `/status` does not.
    broken = cluster.workdir / "endpoints-no-model.yml"
    text = (cluster.workdir / "endpoints.yml").read_text().replace("/models/bot.tar.gz", "/models/missing.tar.gz")
    broken.write_text(text)
    normal = list(loading.command)
    loading.command = [part if not part.endswith("endpoints.yml") else str(broken) for part in normal]
    try:
        loading.start()
        replicas.wait_until(
            lambda: requests.get(f"http://127.0.0.1:{loading.port}/", timeout=2).ok, 120, "the replica's port answers"
        )
        status = requests.get(f"http://127.0.0.1:{loading.port}/status", params={"token": cluster.token}, timeout=5)
        assert status.status_code == 409
        time.sleep(3)  # two health checks
        assert cluster.server_stats("rasa")[loading.name]["status"].startswith("DOWN")
        before = sessions(cluster)[loading.name]
        for n in range(20):
            said = replicas.say(cluster.url, f"ready-{uuid.uuid4().hex[:6]}", FAQ[n % len(FAQ)], resend=False)
            assert said.messages
        assert sessions(cluster)[loading.name] == before
    finally:
        loading.command = normal
        cluster.restart(loading)
    replicas.wait_until(lambda: cluster.servers_up("rasa") == 2, 30, "both replicas up again")


def test_a_complaint_form_alternating_between_replicas_keeps_its_slots(cluster: object) -> None:
    events_before = cluster.queued_events()
    before = sessions(cluster)
    sender = f"alt-{uuid.uuid4().hex[:8]}"
    filed = replicas.file_complaint(cluster.url, sender, 1234, resend=False)
    after = sessions(cluster)
    served = {name: after[name] - before[name] for name in after}
    assert all(count >= 2 for count in served.values()), served  # round robin: turns alternate
    assert filed.ticket, filed.replies
    with psycopg.connect(cluster.database_url) as db:
        row = db.execute(
            "select category, contact_phone, operator, language from complaints where ticket = %s", (filed.ticket,)
        ).fetchone()
    assert row == ("unauthorized_change", "13912345678", "china_unicom", "en")
    # Both replicas published the conversation's events (user, bot, action events of its 6 turns).
    replicas.wait_until(lambda: cluster.queued_events() >= events_before + 6 * 3, 30, "events in RabbitMQ")


def engineio_packets(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [packet for packet in response.text.split("\x1e") if packet]


def test_a_socket_io_chat_stays_on_one_replica_while_rest_requests_do_not(cluster: object) -> None:
    client = requests.Session()
    url = f"{cluster.url}/socket.io/"
    before = {name: int(row["stot"]) for name, row in cluster.server_stats("rasa_socketio").items()}
    opened = client.get(url, params={"EIO": "4", "transport": "polling"}, timeout=10)
    assert "g5care_chat" in client.cookies, "HAProxy pins the browser to one replica with a cookie"
    params = {"EIO": "4", "transport": "polling", "sid": json.loads(engineio_packets(opened)[0][1:])["sid"]}

    def emit(event: str, data: dict) -> None:
        assert client.post(url, params=params, data="42" + json.dumps([event, data]), timeout=10).ok

    def receive(event: str, wanted: str = "") -> list:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            for packet in engineio_packets(client.get(url, params=params, timeout=40)):
                if packet.startswith("42") and json.loads(packet[2:])[0] == event and wanted in packet:
                    return json.loads(packet[2:])
        raise AssertionError(f"no {event} {wanted!r} within 60 s")

    assert client.post(url, params=params, data="40", timeout=10).ok
    engineio_packets(client.get(url, params=params, timeout=10))  # the namespace's connect ack
    session = f"sock-{uuid.uuid4().hex[:8]}"
    emit("session_request", {"session_id": session})
    assert receive("session_confirm")[1] == session
    emit("user_uttered", {"message": FAQ[1], "session_id": session})
    receive("bot_uttered", "SA")  # after the session's greeting
    after = {name: int(row["stot"]) for name, row in cluster.server_stats("rasa_socketio").items()}
    used = sorted(name for name in after if after[name] > before[name])
    assert len(used) == 1, f"the socket's requests reached {used}"  # a poll on the other replica would fail

    before = sessions(cluster)
    for n in range(6):
        client.post(f"{cluster.url}/webhooks/rest/webhook", json={"sender": f"rr-{n}", "message": "hi"}, timeout=60)
    after = sessions(cluster)
    assert all(after[name] > before[name] for name in after), "REST requests go to both replicas, cookie or not"


def test_fifty_complaints_at_once_while_a_replica_is_killed_lose_none_and_double_none(cluster: object) -> None:
    prefix = f"kill-{uuid.uuid4().hex[:6]}-"
    victim = cluster.rasa[0]
    results = file_many(cluster, prefix, lambda: victim.signal(signal.SIGKILL), at_turns=CONVERSATIONS * 2)
    assert victim.wait(10) == -signal.SIGKILL
    stored = dict(records(cluster, prefix))
    # None lost, none twice: one record for every conversation.
    assert sorted(stored) == sorted(result.sender for result in results)
    for result in results:
        if result.ticket:
            assert stored[result.sender] == result.ticket  # the ticket its user was given
        else:
            # Its reply died with the replica after the turn was saved: the record exists, the resend
            # found the form finished. Only a conversation that had to resend may end so.
            assert result.resent > 0, result.replies
    unseen = sum(not result.ticket for result in results)
    print(f"\nkilled mid-run: {sum(r.resent for r in results)} messages resent, {len(stored)} records, "
          f"{unseen} tickets filed but their reply lost with the killed replica")  # fmt: skip
    victim.start()
    cluster.wait_ready(victim, 300)


def test_fifty_complaints_while_the_database_is_down_for_30_seconds_are_all_filed_once(cluster: object) -> None:
    prefix = f"outage-{uuid.uuid4().hex[:6]}-"
    postgres = cluster.postgres

    def outage() -> None:
        postgres.stop()
        time.sleep(30)
        postgres.start()

    results = file_many(cluster, prefix, outage, at_turns=CONVERSATIONS * 3)
    queued = [r for r in results if r.queued]
    # Users were told the truth: a ticket, or that the complaint is queued with no ticket yet.
    assert all(r.ticket or r.queued for r in results), [r.replies[-1] for r in results if not (r.ticket or r.queued)]
    assert queued, "no submission fell in the outage"
    # The next complaint after the outage files what waited (the spool is drained first).
    after = replicas.file_complaint(cluster.url, f"{prefix}after", 999)
    assert after.ticket
    stored = records(cluster, prefix)
    senders = [sender for sender, _ in stored]
    assert sorted(senders) == sorted([r.sender for r in results] + [after.sender])  # none lost, none twice
    assert not list((cluster.workdir / "spool").glob("*.json"))
    for result in results:
        if result.ticket:
            assert (result.sender, result.ticket) in stored
    print(f"\noutage: {len(queued)} complaints queued and filed afterwards, {len(results) - len(queued)} filed at once")


def test_a_rolling_restart_with_sigterm_drops_no_request(cluster: object) -> None:
    stop = threading.Event()
    answered, failed = [], []

    def user(n: int) -> None:
        sender = f"roll-{n}-{uuid.uuid4().hex[:6]}"
        turn = 0
        while not stop.is_set():
            try:
                said = replicas.say(cluster.url, sender, FAQ[turn % len(FAQ)], resend=False)
                answered.append(said)
            except AssertionError as error:
                failed.append(str(error))
            turn += 1

    users = [threading.Thread(target=user, args=(n,)) for n in range(6)]
    for thread in users:
        thread.start()
    try:
        time.sleep(3)
        stopped_in = [cluster.restart(replica, signal.SIGTERM) for replica in cluster.rasa]
        time.sleep(3)
    finally:
        stop.set()
        for thread in users:
            thread.join()
    assert failed == []
    assert len(answered) > 50
    print(f"\nrolling restart: {len(answered)} answers, none lost; SIGTERM to exit {stopped_in}")


def test_both_replicas_pick_up_a_new_model_from_the_model_server_without_dropping_a_request(cluster: object) -> None:
    new = cluster.workdir / "new-model.tar.gz"
    new_id = with_new_model_id(cluster.model, new)
    stop, answered, failed = threading.Event(), [], []

    def user() -> None:
        sender = f"new-model-{uuid.uuid4().hex[:6]}"
        while not stop.is_set():
            try:
                answered.append(replicas.say(cluster.url, sender, FAQ[len(answered) % len(FAQ)], resend=False))
            except AssertionError as error:
                failed.append(str(error))

    asking = threading.Thread(target=user)
    asking.start()
    try:
        cluster.model_server.publish(new)
        replicas.wait_until(
            lambda: all(cluster.status(replica).get("model_id") == new_id for replica in cluster.rasa),
            180,
            "both replicas serve the new model",
            interval=1,
        )
        time.sleep(3)
    finally:
        stop.set()
        asking.join()
    assert failed == []
    assert answered


def model_id(model: Path) -> str:
    with tarfile.open(model) as tar:
        member = next(m for m in tar.getmembers() if m.name.lstrip("./") == "metadata.json")
        return str(json.load(tar.extractfile(member))["model_id"])  # type: ignore[arg-type]


def with_new_model_id(model: Path, out: Path) -> str:
    """The same trained model under a new model id: what a retrained model looks like to the servers."""
    new_id = uuid.uuid4().hex
    with tarfile.open(model) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member) if member.isfile() else None
            if member.name.lstrip("./") == "metadata.json" and data:
                metadata = json.load(data)
                metadata["model_id"] = new_id
                raw = json.dumps(metadata).encode()
                member.size = len(raw)
                target.addfile(member, io.BytesIO(raw))
            else:
                target.addfile(member, data)
    return new_id
