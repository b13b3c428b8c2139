"""No full phone number in the servers' own logs: a complaint with a number, through the real Rasa
server (at debug level, where Rasa logs every message's text) and action server, then their logs read."""

import json
import re
import uuid
from collections.abc import Iterator

import pytest

from tests.e2e.servers import Servers, running_servers

pytestmark = pytest.mark.e2e
TICKET = re.compile(r"C\d{8}-\d{4,5}")
NUMBER, SPACED = "13812345678", "139 8765 4321"
# Any full number, however Rasa quotes the text (its JSON log escapes Chinese as \uXXXX, whose last
# hex digits may run into the number): a number whose middle four digits are still there.
FULL = re.compile(r"1234\D{0,3}5678|8765\D{0,3}4321")


@pytest.fixture(scope="module")
def debug_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    with running_servers(tmp_path_factory.mktemp("log-masking"), env_extra={"LOG_LEVEL": "DEBUG"}) as running:
        yield running


def choose(key: str) -> str:
    return "/choose" + json.dumps({"choice": key})


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def test_a_complaint_with_a_phone_number_leaves_only_the_masked_number_in_both_servers_logs(debug_servers):
    sender = f"log-{uuid.uuid4().hex[:8]}"
    servers = debug_servers
    servers.send(sender, f"我要投诉，信号很差，我的号码是{NUMBER}")
    servers.send(sender, choose("coverage_signal"))
    asked = texts(servers.send(sender, choose("china_mobile")))
    if "手机号" in asked:  # the number in the first message was not taken: give it again
        servers.send(sender, NUMBER)
    servers.send(sender, "北京市朝阳区望京")
    servers.send(sender, "同意")
    ticket = TICKET.search(texts(servers.send(sender, "确认")))
    assert ticket, "the complaint was filed"
    servers.send(sender, f"my other phone is {SPACED}")

    rasa_log = (servers.logs / "rasa.log").read_text()
    actions_log = (servers.logs / "actions.log").read_text()
    assert "Rasa patches installed" in rasa_log, "the Rasa server was started by python -m rasa_server"
    assert "****5678" in rasa_log and "****4321" in rasa_log, "Rasa logged the messages, masked"
    assert not FULL.search(rasa_log), FULL.search(rasa_log)
    assert f"complaint {ticket.group(0)} filed, phone 138****5678" in actions_log
    assert not FULL.search(actions_log), FULL.search(actions_log)
