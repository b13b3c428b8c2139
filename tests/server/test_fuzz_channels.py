"""A bounded property-based fuzz of the chat channels' payloads (hypothesis; server environment).

The REST webhook's body parser takes any bytes and any content type: it accepts a message or refuses it
with a 4xx, never raises anything else. The WeChat Official Account and WeCom channels, served over HTTP
with a fake bot, get arbitrary bodies and queries, forged signatures, and correctly signed and encrypted
pushes whose message fields are drawn at random (types, contents with control characters, huge numbers):
never a 5xx, never a hang. FUZZ_EXAMPLES sets the number of drawn pushes (default 40; about 10 s).
"""

from __future__ import annotations

import asyncio
import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rasa_server.channels.payload import PayloadError, parse_payload
from rasa_server.channels.wechat import WeChatOfficialAccountInput, WeComInput
from rasa_server.channels.wechat.config import ChannelOptions, OfficialAccountConfig, WeComConfig
from rasa_server.channels.wechat.state import MemoryState
from tests.server.wechat_harness import OA, WECOM, FakeBot, serve
from tests.wechat_sim import OfficialAccountSimulator, WeComSimulator, message_xml

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
SLOW = 5.0
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))

NASTY = ["\x00", "]]>", "<xml>", "&amp;", "\ud800", "一三九八七六五四三二一", "/restart", "/faq{}", " " * 5]
TEXT = st.one_of(st.text(max_size=200), st.sampled_from(NASTY))
# What can travel inside XML 1.0 (no control characters but tab and line breaks, no lone surrogates).
XML_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=200),
    st.sampled_from([t for t in NASTY if t.isprintable() and "\ud800" not in t] + ["a\tb\nc"]),
)
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=20,
)
REST_FIELDS = st.fixed_dictionaries(
    {}, optional={"sender": JSON_VALUE, "message": JSON_VALUE, "metadata": JSON_VALUE, "message_id": JSON_VALUE}
)
REST_BODIES = st.one_of(
    st.binary(max_size=300),
    JSON_VALUE.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
    REST_FIELDS.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
    REST_FIELDS.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass")),
)
CONTENT_TYPES = st.one_of(st.none(), st.sampled_from(["application/json", "text/plain", "application/json; x"]), TEXT)


@FUZZ
@given(REST_BODIES, CONTENT_TYPES)
def test_any_rest_body_is_accepted_as_a_message_or_refused_with_a_4xx(raw, content_type):
    try:
        incoming = parse_payload(raw, content_type)
    except PayloadError as error:
        assert 400 <= error.status < 500 and error.code and error.message
        json.dumps(error.as_json())
    else:
        assert isinstance(incoming.sender, str) and incoming.sender
        assert isinstance(incoming.text, str) and incoming.text.strip()


def draw(strategy, count=EXAMPLES):
    """`count` examples of a strategy, for async code that hypothesis' @given cannot drive."""
    drawn = []

    @settings(max_examples=count, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value):
        drawn.append(value)

    collect()
    return drawn


MESSAGE_FIELDS = st.fixed_dictionaries(
    {
        "MsgType": st.one_of(
            st.sampled_from(["text", "voice", "image", "event", "location", "link", "video"]), XML_TEXT
        ),
        "FromUserName": st.one_of(st.just("oUserFuzz0123456789"), XML_TEXT),
    },
    optional={
        "Content": XML_TEXT,
        "Recognition": XML_TEXT,
        "Event": st.one_of(st.sampled_from(["subscribe", "unsubscribe", "CLICK", "kf_msg_or_event"]), XML_TEXT),
        "EventKey": XML_TEXT,
        "MsgId": st.one_of(st.integers(), XML_TEXT),
        "CreateTime": st.one_of(st.integers(min_value=-(2**70), max_value=2**70), XML_TEXT),
        "Token": XML_TEXT,
        "OpenKfId": XML_TEXT,
    },
)
QUERIES = st.one_of(
    st.text(max_size=120),
    st.dictionaries(
        st.sampled_from(["signature", "timestamp", "nonce", "msg_signature", "encrypt_type", "echostr"]),
        st.text(max_size=40),
    ).map(lambda d: "&".join(f"{k}={v}" for k, v in d.items())),
)


async def no_server_error(served, pushes):
    for query, body in pushes:
        started = time.monotonic()
        status, _ = await asyncio.wait_for(served.post(query, body), SLOW)
        assert status < 500, (query, body[:300])
        assert time.monotonic() - started < SLOW


@pytest.mark.anyio
async def test_any_push_to_the_official_account_channel_gets_no_server_error(api):
    sim = OfficialAccountSimulator(OA["token"], OA["aes_key"], OA["app_id"])
    config = OfficialAccountConfig(
        app_id=OA["app_id"],
        app_secret=OA["app_secret"],
        token=OA["token"],
        aes_key=OA["aes_key"],
        safe_mode=True,
        api_base=api.url,
    )
    channel = WeChatOfficialAccountInput(config, ChannelOptions(), state=MemoryState())
    signed = [sim.push(message_xml(fields)) for fields in draw(MESSAGE_FIELDS)]
    forged = [(query, body) for query, body in draw(st.tuples(QUERIES, st.binary(max_size=300)), EXAMPLES // 2)]
    async with serve(channel, FakeBot()) as served:
        await no_server_error(served, [(push.query, push.body) for push in signed] + forged)
        for query in draw(QUERIES, EXAMPLES // 2):
            status, _ = await served.get(query)
            assert status < 500, query


@pytest.mark.anyio
async def test_any_push_to_the_wecom_channel_gets_no_server_error(api):
    wecom = WeComSimulator(WECOM["token"], WECOM["aes_key"], WECOM["corp_id"], WECOM["agent_id"])
    config = WeComConfig(
        corp_id=WECOM["corp_id"],
        agent_id=WECOM["agent_id"],
        secret=WECOM["secret"],
        token=WECOM["token"],
        aes_key=WECOM["aes_key"],
        api_base=api.url,
    )
    channel = WeComInput(config, ChannelOptions(), state=MemoryState())
    signed = []
    for fields in draw(MESSAGE_FIELDS):
        xml = message_xml({"ToUserName": WECOM["corp_id"], "AgentID": WECOM["agent_id"], **fields})
        signed.append(wecom.push(xml))
    async with serve(channel, FakeBot()) as served:
        await no_server_error(served, [(push.query, push.body) for push in signed])
