"""The WeChat Official Account and WeCom channels over HTTP, against simulated platforms.

Each test mounts the channel's blueprint on a bare Sanic app with a fake bot, posts pushes
built, encrypted and signed by the simulator, decrypts the replies, and points the
channel's outbound calls at a local fake of the platform's API.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
import uuid

import pytest

from rasa_server.channels.wechat import WeChatOfficialAccountInput, WeComInput, WeComKfInput
from rasa_server.channels.wechat.config import ChannelOptions, OfficialAccountConfig, WeComConfig, WeComKfConfig
from rasa_server.channels.wechat.state import MemoryState, RedisState
from tests.server.wechat_harness import OA, WECOM, FakeBot, serve
from tests.wechat_sim import OfficialAccountSimulator, WeComSimulator, new_msg_id

pytestmark = pytest.mark.anyio
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def sim():
    return OfficialAccountSimulator(OA["token"], OA["aes_key"], OA["app_id"])


def oa_channel(api, safe_mode=True, state=None, **options):
    config = OfficialAccountConfig(
        app_id=OA["app_id"],
        app_secret=OA["app_secret"],
        token=OA["token"],
        aes_key=OA["aes_key"],
        safe_mode=safe_mode,
        api_base=api.url,
    )
    return WeChatOfficialAccountInput(config, ChannelOptions(**options), state=state or MemoryState())


def openid():
    return "oUser" + uuid.uuid4().hex[:23]


def content(reply):
    assert reply is not None, "a passive reply was expected"
    return reply["Content"]


async def redis_or_skip(prefix: str) -> RedisState:
    state = RedisState(REDIS_URL)
    try:
        await state.get(f"{prefix}:ping")
    except Exception:
        await state.close()
        pytest.skip(f"no Redis at {REDIS_URL}")
    return state


# --------------------------------------------------------------------------- URL verification


async def test_the_official_account_console_check_gets_its_echostr_back(api, sim):
    async with serve(oa_channel(api), FakeBot()) as served:
        assert await served.get(sim.verification("shr5ch")) == (200, "shr5ch")
        status, _ = await served.get(sim.verification("shr5ch", token="wrong-token"))
        assert status == 403


@pytest.mark.parametrize("plus_unescaped", [False, True], ids=["percent-encoded", "raw-plus"])
async def test_the_wecom_console_check_gets_the_decrypted_echostr(api, plus_unescaped):
    wecom = WeComSimulator(WECOM["token"], WECOM["aes_key"], WECOM["corp_id"], WECOM["agent_id"])
    channel = WeComInput(wecom_config(api), ChannelOptions(), state=MemoryState())
    async with serve(channel, FakeBot()) as served:
        # The encrypted echostr is base64: a '+' that reached us unescaped must not become a space.
        assert await served.get(wecom.verification("1616140317555161061", plus_unescaped)) == (
            200,
            "1616140317555161061",
        )


# --------------------------------------------------------------------------- a text turn


async def test_a_text_gets_one_encrypted_passive_reply_with_the_turns_texts_merged(api, sim):
    user = openid()
    bot = FakeBot(reply=lambda m: [("您好！", None), ("5G覆盖可以在运营商App查询。", None)])
    async with serve(oa_channel(api), bot) as served:
        msg_id = new_msg_id()
        push = sim.push(sim.text(user, "怎么查5G覆盖", msg_id))
        status, body = await served.post(push.query, push.body)
        assert status == 200
        # Only the ciphertext travels: no readable message element, none of the answer's words.
        # (Not a bare "5G": base64 ciphertext contains that pair of characters now and then.)
        assert "<Encrypt>" in body and "<Content>" not in body and "覆盖" not in body and "MsgType" not in body
        reply = sim.read_reply(body)
        assert content(reply) == "您好！\n\n5G覆盖可以在运营商App查询。"
        assert reply["ToUserName"] == user and reply["FromUserName"] == sim.original_id
        assert reply["MsgType"] == "text"
    (call,) = bot.calls
    assert call.sender_id == user, "the conversation is the user's OpenID"
    assert call.message_id == msg_id, "the MsgId travels as Rasa's message_id"
    assert call.input_channel == "wechat_oa" and call.text == "怎么查5G覆盖"
    assert api.sent == [], "nothing through the API when the passive reply carried the answer"


async def test_three_retries_of_one_message_make_one_turn_and_get_the_same_reply(api, sim):
    user = openid()
    bot = FakeBot(delay=0.4)
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.text(user, "套餐怎么改", new_msg_id()))
        first = asyncio.ensure_future(served.post(push.query, push.body))
        await asyncio.sleep(0.1)
        retries = [await served.post(retry.query, retry.body) for retry in (sim.push(push.xml), sim.push(push.xml))]
        answers = [await first, *retries]
        later = await served.post(push.query, push.body)  # after the turn: still the same answer
    assert len(bot.calls) == 1, "one bot turn for the message and its retries"
    assert all(status == 200 for status, _ in answers)
    assert {content(sim.read_reply(body)) for _, body in [*answers, later]} == {"收到：套餐怎么改"}


async def test_a_slow_turn_is_acknowledged_and_answered_through_the_customer_service_api(api, sim):
    user = openid()
    bot = FakeBot(delay=1.2)
    channel = oa_channel(api, reply_budget_seconds=0.5)
    async with serve(channel, bot) as served:
        push = sim.push(sim.text(user, "查询投诉进度", new_msg_id()))
        started = asyncio.get_running_loop().time()
        status, body = await served.post(push.query, push.body)
        assert status == 200 and body == "success"
        assert asyncio.get_running_loop().time() - started < 1.0, "acknowledged within the budget"
        again = sim.push(push.xml)
        retry = await served.post(again.query, again.body)
        assert retry == (200, "success"), "a retry after the acknowledgement makes no second answer"
        assert await api.await_texts(user) == ["收到：查询投诉进度"]
    assert len(bot.calls) == 1
    (record,) = api.sent
    assert record["path"] == "/cgi-bin/message/custom/send"
    assert record["body"] == {"touser": user, "msgtype": "text", "text": {"content": "收到：查询投诉进度"}}
    assert [r["kind"] for r in api.token_requests] == ["stable_token"]
    assert api.token_requests[0]["body"]["appid"] == OA["app_id"]


async def test_the_access_token_is_cached_and_fetched_again_once_when_the_platform_says_it_expired(api, sim):
    user = openid()
    channel = oa_channel(api, reply_budget_seconds=0.5)
    async with serve(channel, FakeBot(delay=0.8)) as served:
        for text in ("一", "二"):
            push = sim.push(sim.text(user, text))
            assert await served.post(push.query, push.body) == (200, "success")
            await channel.drain()
        assert len(api.token_requests) == 1, "the token is cached between messages"
        api.expire_tokens()
        push = sim.push(sim.text(user, "三"))
        assert await served.post(push.query, push.body) == (200, "success")
        await channel.drain()
    assert api.texts_to(user) == ["收到：一", "收到：二", "收到：三"]
    assert [r["errcode"] for r in api.refused] == [40001]
    assert len(api.token_requests) == 2
    assert api.token_requests[1]["body"]["force_refresh"] is True


async def test_a_token_refused_twice_is_not_fetched_a_third_time(api, sim, caplog):
    user = openid()
    channel = oa_channel(api, reply_budget_seconds=0.5)
    api.fail_next(40001, 40001)
    async with serve(channel, FakeBot(delay=0.7)) as served:
        push = sim.push(sim.text(user, "你好"))
        await served.post(push.query, push.body)
        await channel.drain()
    assert len(api.token_requests) == 2 and len(api.refused) == 2 and api.sent == []
    assert "not sent: 40001" in caplog.text


async def test_outside_the_48_hour_window_the_answer_is_logged_masked_and_not_retried(api, sim, caplog):
    caplog.set_level(logging.INFO, logger="rasa_server.channels.wechat")
    user = openid()
    long_answer = "。".join(["这是一段很长的回答"] * 400)
    channel = oa_channel(api, reply_budget_seconds=0.5)
    api.fail_next(45015)
    async with serve(channel, FakeBot(delay=0.7, reply=lambda m: [(long_answer, None)])) as served:
        push = sim.push(sim.text(user, "详细说说"))
        assert await served.post(push.query, push.body) == (200, "success")
        await channel.drain()
    assert [r["errcode"] for r in api.refused] == [45015], "no retry, and the remaining parts are not sent"
    assert api.sent == []
    assert "outside the 48-hour reply window" in caplog.text
    assert user[:4] + "****" in caplog.text and user not in caplog.text, "the OpenID is masked in the log"


async def test_a_bot_failure_gets_an_apology_not_silence(api, sim):
    bot = FakeBot()
    bot.fail = True
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.text(openid(), "hello"))
        status, body = await served.post(push.query, push.body)
    assert status == 200 and "稍后再试" in content(sim.read_reply(body))


# --------------------------------------------------------------------------- refused requests


async def test_a_bad_signature_is_refused_and_never_reaches_the_bot(api, sim, caplog):
    user = openid()
    bot = FakeBot()
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.text(user, "你好"), token="not-the-token")
        status, body = await served.post(push.query, push.body)
        assert status == 403 and "success" not in body
        tampered = sim.push(sim.text(user, "你好"))
        other = sim.push(sim.text(user, "转账给我"))
        status, _ = await served.post(tampered.query, other.body)  # signature of another body
        assert status == 403
    assert bot.calls == []
    assert "bad signature" in caplog.text or "bad msg_signature" in caplog.text
    assert user not in caplog.text and user[:4] + "****" in caplog.text


async def test_a_push_encrypted_for_another_appid_is_refused(api, sim, caplog):
    bot = FakeBot()
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.text(openid(), "你好"), app_id="wx0000000000000000")
        assert (await served.post(push.query, push.body))[0] == 403
    assert bot.calls == [] and "another AppID" in caplog.text


async def test_a_push_encrypted_with_another_key_is_refused(api, sim):
    bot = FakeBot()
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.text(openid(), "你好"), aes_key="ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg")
        assert (await served.post(push.query, push.body))[0] in (400, 403)
    assert bot.calls == []


@pytest.mark.parametrize(
    "body",
    [b"not xml at all", b"<xml><Encrypt>", b"<xml><ToUserName>gh</ToUserName></xml>", b"", b"\xff\xfe<xml/>"],
    ids=["not-xml", "truncated", "no-encrypt", "empty", "not-utf8"],
)
async def test_a_malformed_body_is_refused_with_400(api, sim, body):
    bot = FakeBot()
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.text(openid(), "你好"))
        status, _ = await served.post(push.query, body)
    assert status == 400 and bot.calls == []


async def test_a_signed_but_undecryptable_encrypt_and_a_message_without_sender_are_refused(api, sim):
    from tests.wechat_sim import cdata, encode_query, sign

    bot = FakeBot()
    async with serve(oa_channel(api), bot) as served:
        ts, nonce, junk = str(int(time.time())), "12345", "bm90IGEgY2lwaGVydGV4dA=="
        query = encode_query(
            {
                "signature": sign(OA["token"], ts, nonce),
                "timestamp": ts,
                "nonce": nonce,
                "encrypt_type": "aes",
                "msg_signature": sign(OA["token"], ts, nonce, junk),
            }
        )
        body = f"<xml><ToUserName>gh</ToUserName><Encrypt>{cdata(junk)}</Encrypt></xml>".encode()
        assert (await served.post(query, body))[0] == 400
        no_sender = sim.push("<xml><MsgType>text</MsgType><Content>hi</Content><MsgId>1</MsgId></xml>")
        assert (await served.post(no_sender.query, no_sender.body))[0] == 400
    assert bot.calls == []


async def test_in_safe_mode_a_plaintext_push_and_a_stale_timestamp_are_refused(api, sim):
    bot = FakeBot()
    plain = OfficialAccountSimulator(OA["token"], OA["aes_key"], OA["app_id"], safe_mode=False)
    async with serve(oa_channel(api), bot) as served:
        push = plain.push(plain.text(openid(), "你好"))
        assert (await served.post(push.query, push.body))[0] == 403
        old = sim.push(sim.text(openid(), "你好"), timestamp=1409735669)
        assert (await served.post(old.query, old.body))[0] == 403
    assert bot.calls == []


async def test_plaintext_mode_for_the_sandbox_answers_in_plaintext(api):
    plain = OfficialAccountSimulator(OA["token"], OA["aes_key"], OA["app_id"], safe_mode=False)
    bot = FakeBot()
    async with serve(oa_channel(api, safe_mode=False), bot) as served:
        user = openid()
        push = plain.push(plain.text(user, "你好"))
        status, body = await served.post(push.query, push.body)
        assert status == 200 and content(plain.read_reply(body)) == "收到：你好"
        forged = plain.push(plain.text(user, "你好"), token="wrong")
        assert (await served.post(forged.query, forged.body))[0] == 403
    assert len(bot.calls) == 1


async def test_an_unconfigured_channel_answers_503_and_says_why_once(monkeypatch, caplog):
    for name in ("WECHAT_OA_APPID", "WECHAT_OA_APPSECRET", "WECHAT_OA_TOKEN", "WECHAT_OA_AES_KEY"):
        monkeypatch.delenv(name, raising=False)
    channel = WeChatOfficialAccountInput.from_credentials({"menu": {"HELP": "/greet"}})
    assert "wechat_oa channel is not configured" in caplog.text and "WECHAT_OA_APPID" in caplog.text
    bot = FakeBot()
    async with serve(channel, bot) as served:
        status, _ = await served.post("signature=x&timestamp=1&nonce=1", b"<xml/>")
        assert status == 503
        async with served.http.get(served.url + "/") as response:
            assert response.status == 503
    assert bot.calls == []


async def test_the_channel_reads_its_secrets_from_the_environment(monkeypatch, api):
    monkeypatch.setenv("WECHAT_OA_APPID", OA["app_id"])
    monkeypatch.setenv("WECHAT_OA_APPSECRET", OA["app_secret"])
    monkeypatch.setenv("WECHAT_OA_TOKEN", OA["token"])
    monkeypatch.setenv("WECHAT_OA_AES_KEY", OA["aes_key"])
    monkeypatch.setenv("WECHAT_OA_API_BASE", api.url)
    monkeypatch.delenv("REDIS_URL", raising=False)
    channel = WeChatOfficialAccountInput.from_credentials(None)
    assert channel.codec is not None and channel.config.safe_mode and channel.config.api_base == api.url


# --------------------------------------------------------------------------- what users do


async def test_a_subscribe_event_gets_the_welcome_with_numbered_choices(api, sim):
    user = openid()

    def welcome(message):
        return [
            (
                "您好！我是5G服务助手。",
                [{"title": "5G覆盖", "payload": "怎么查5G覆盖"}, {"title": "我要投诉", "payload": "怎么投诉"}],
            )
        ]

    bot = FakeBot(reply=welcome)
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.event(user, "subscribe", "qrscene_123"))
        reply = content(sim.read_reply((await served.post(push.query, push.body))[1]))
        again = sim.push(push.xml)  # the platform's retry of the event: same FromUserName + CreateTime
        await served.post(again.query, again.body)
    assert reply == "您好！我是5G服务助手。\n1. 5G覆盖\n2. 我要投诉\n（回复数字即可选择）"
    (call,) = bot.calls
    assert call.text == "/session_start" and call.metadata["event"] == "subscribe"
    assert call.sender_id == user


async def test_a_menu_click_maps_to_an_intent_and_an_unknown_key_is_ignored(api, sim, caplog):
    user = openid()
    bot = FakeBot()
    channel = oa_channel(api, menu={"MENU_COMPLAIN": "/complain", "MENU_STATUS": "/check_complaint_status"})
    async with serve(channel, bot) as served:
        push = sim.push(sim.event(user, "CLICK", "MENU_COMPLAIN"))
        assert content(sim.read_reply((await served.post(push.query, push.body))[1])) == "收到：/complain"
        unknown = sim.push(sim.event(user, "CLICK", "NOT_IN_TABLE", create_time=1))
        unknown = sim.push(unknown.xml.replace("<CreateTime>1</CreateTime>", "<CreateTime>2</CreateTime>"))
        assert await served.post(unknown.query, unknown.body) == (200, "success")
        view = sim.push(sim.event(user, "VIEW", "https://example.com/"))
        assert await served.post(view.query, view.body) == (200, "success")
    assert bot.texts == ["/complain"]
    assert bot.calls[0].metadata["event_key"] == "MENU_COMPLAIN"
    assert "NOT_IN_TABLE" in caplog.text


async def test_a_voice_message_with_recognised_text_is_handled_as_text(api, sim):
    user = openid()
    bot = FakeBot()
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.voice(user, "我要投诉信号差"))
        assert content(sim.read_reply((await served.post(push.query, push.body))[1])) == "收到：我要投诉信号差"
    assert bot.texts == ["我要投诉信号差"] and bot.calls[0].metadata["msg_type"] == "voice"


async def test_a_voice_message_without_recognition_asks_the_user_to_type(api, sim):
    user = openid()
    bot = FakeBot(reply=lambda m: [("Hello! How can I help?", None)])
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.voice(user, None))
        assert "请直接输入文字" in content(sim.read_reply((await served.post(push.query, push.body))[1]))
        # Once the conversation is known to be in English, the channel's own texts follow it.
        push = sim.push(sim.text(user, "hello"))
        await served.post(push.query, push.body)
        push = sim.push(sim.voice(user, ""))
        reply = content(sim.read_reply((await served.post(push.query, push.body))[1]))
        assert reply.startswith("Sorry, I couldn't make out") and "文字" not in reply
        image = sim.push(sim.image(user))
        assert "only read text" in content(sim.read_reply((await served.post(image.query, image.body))[1]))
    assert bot.texts == ["hello"]


async def test_buttons_become_numbered_choices_answered_by_their_number(api, sim):
    user = openid()
    buttons = [
        {"title": "信号与覆盖", "payload": '/choose{"choice": "coverage_signal"}'},
        {"title": "资费争议", "payload": '/choose{"choice": "billing"}'},
    ]

    def reply(message):
        if message.text.startswith("/choose"):
            return [("好的，请提供联系手机号。", None)]
        return [("请选择投诉类别：", buttons)]

    bot = FakeBot(reply=reply)
    async with serve(oa_channel(api), bot) as served:
        push = sim.push(sim.text(user, "我要投诉"))
        offered = content(sim.read_reply((await served.post(push.query, push.body))[1]))
        assert "1. 信号与覆盖\n2. 资费争议" in offered and "回复数字" in offered
        push = sim.push(sim.text(user, "２"))  # full-width digit, as Chinese keyboards may type it
        assert "手机号" in content(sim.read_reply((await served.post(push.query, push.body))[1]))
        push = sim.push(sim.text(user, "2"))  # no choices offered any more: the number is just text
        await served.post(push.query, push.body)
    assert bot.texts == ["我要投诉", '/choose{"choice": "billing"}', "2"]
    assert bot.calls[1].metadata["choice"] == "２"


async def test_a_long_answer_is_split_at_the_byte_limit_passive_first_then_the_api(api, sim):
    user = openid()
    paragraphs = [f"第{n}段：" + "5G网络覆盖说明，" * 40 for n in range(1, 7)]
    answer = "\n\n".join(paragraphs)
    assert len(answer.encode()) > 2 * 2048
    async with serve(oa_channel(api), FakeBot(reply=lambda m: [(answer, None)])) as served:
        push = sim.push(sim.text(user, "详细介绍5G覆盖"))
        first = content(sim.read_reply((await served.post(push.query, push.body))[1]))
        rest = await api.await_texts(user, 1)
        await asyncio.sleep(0.3)
        rest = api.texts_to(user)
    parts = [first, *rest]
    assert all(len(part.encode()) <= 2048 for part in parts)
    assert len(parts) >= 3 and first.startswith("第1段")
    assert "\n\n".join(parts) == answer, "split at paragraph boundaries, nothing lost"


# --------------------------------------------------------------------------- several processes (Redis)


async def test_two_processes_sharing_redis_make_one_turn_for_a_message_and_share_the_token(api, sim):
    prefix = f"wechat-test-{uuid.uuid4().hex[:8]}"
    first_state, second_state = await redis_or_skip(prefix), await redis_or_skip(prefix)
    first = oa_channel(api, state=first_state, redis_prefix=prefix, reply_budget_seconds=1.0)
    second = oa_channel(api, state=second_state, redis_prefix=prefix, reply_budget_seconds=1.0)
    bot_a, bot_b = FakeBot(delay=0.3), FakeBot(delay=0.3)
    user = openid()
    cleanup = RedisState(REDIS_URL)
    async with serve(first, bot_a) as process_a, serve(second, bot_b) as process_b:
        push = sim.push(sim.text(user, "你好", new_msg_id()))
        retry, third = sim.push(push.xml), sim.push(push.xml)
        answers = await asyncio.gather(
            process_a.post(push.query, push.body),
            process_b.post(retry.query, retry.body),
            process_b.post(third.query, third.body),
        )
        assert len(bot_a.calls) + len(bot_b.calls) == 1, "one turn across both processes"
        assert {content(sim.read_reply(body)) for _, body in answers} == {"收到：你好"}
        # Slow turns in both processes: one access token, fetched once, used by both.
        bot_a.delay = bot_b.delay = 1.5
        for served, text in ((process_a, "一"), (process_b, "二")):
            slow = sim.push(sim.text(user, text))
            assert await served.post(slow.query, slow.body) == (200, "success")
        await asyncio.gather(first.drain(), second.drain())
    assert sorted(api.texts_to(user)) == ["收到：一", "收到：二"]
    assert len(api.token_requests) == 1, "the token is shared through Redis"
    keys = [key async for key in cleanup._client.scan_iter(f"{prefix}:*")]
    assert keys, "the state lived in Redis"
    await cleanup._client.delete(*keys)
    await cleanup.close()


# --------------------------------------------------------------------------- WeCom


def wecom_config(api):
    return WeComConfig(
        corp_id=WECOM["corp_id"],
        agent_id=WECOM["agent_id"],
        secret=WECOM["secret"],
        token=WECOM["token"],
        aes_key=WECOM["aes_key"],
        api_base=api.url,
    )


async def test_wecom_acknowledges_at_once_and_answers_through_the_app_message_api(api):
    wecom = WeComSimulator(WECOM["token"], WECOM["aes_key"], WECOM["corp_id"], WECOM["agent_id"])
    channel = WeComInput(wecom_config(api), ChannelOptions(), state=MemoryState())
    bot = FakeBot(delay=0.3)
    async with serve(channel, bot) as served:
        msg_id = new_msg_id()
        push = wecom.push(wecom.text("ZhangSan", "我的5G信号不好", msg_id))
        started = asyncio.get_running_loop().time()
        assert await served.post(push.query, push.body) == (200, "")
        assert asyncio.get_running_loop().time() - started < 0.3, "acknowledged before the turn ends"
        again = wecom.push(push.xml)
        assert await served.post(again.query, again.body) == (200, "")
        assert await api.await_texts("ZhangSan") == ["收到：我的5G信号不好"]
        await channel.drain()
    (call,) = bot.calls
    assert call.sender_id == "ZhangSan" and call.message_id == msg_id and call.input_channel == "wecom"
    (record,) = api.sent
    assert record["path"] == "/cgi-bin/message/send"
    assert record["body"]["agentid"] == WECOM["agent_id"] and record["body"]["msgtype"] == "text"
    assert [r["kind"] for r in api.token_requests] == ["gettoken"]
    assert api.token_requests[0]["query"]["corpid"] == [WECOM["corp_id"]]


async def test_wecom_refuses_another_corpid_another_agent_and_a_bad_signature(api, caplog):
    wecom = WeComSimulator(WECOM["token"], WECOM["aes_key"], WECOM["corp_id"], WECOM["agent_id"])
    channel = WeComInput(wecom_config(api), ChannelOptions(), state=MemoryState())
    bot = FakeBot()
    async with serve(channel, bot) as served:
        xml = wecom.text("LiSi", "你好")
        for push in (
            wecom.push(xml, corp_id="ww9999999999999999"),
            wecom.push(xml, agent_id=1000003),
            wecom.push(xml, token="wrong-token"),
        ):
            status, _ = await served.post(push.query, push.body)
            assert status == 403
        status, _ = await served.post(wecom.push(xml).query, b"<xml><Encrypt>")
        assert status == 400
    assert bot.calls == []
    assert "another corpid" in caplog.text and "another AgentID" in caplog.text


async def test_when_redis_is_down_the_user_still_gets_an_answer(api, sim, caplog):
    bot = FakeBot()
    channel = oa_channel(api, state=RedisState("redis://127.0.0.1:9/0"))
    async with serve(channel, bot) as served:
        push = sim.push(sim.text(openid(), "你好"))
        status, body = await served.post(push.query, push.body)
    assert status == 200 and content(sim.read_reply(body)) == "收到：你好"
    assert "store unavailable" in caplog.text


# --------------------------------------------------------------------------- 微信客服 (kf)

KF = {"token": "Kf5gToken", "aes_key": "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "secret": "kf-secret"}


def kf_message(msgid, user, text, origin=3):
    return {
        "msgid": msgid,
        "open_kfid": "wkTestKf",
        "external_userid": user,
        "send_time": int(time.time()),
        "origin": origin,
        "msgtype": "text",
        "text": {"content": text},
    }


async def test_kf_pulls_new_messages_from_the_cursor_and_answers_each_customer_once(api):
    kf = WeComSimulator(KF["token"], KF["aes_key"], WECOM["corp_id"], None)
    config = WeComKfConfig(WECOM["corp_id"], KF["secret"], KF["token"], KF["aes_key"], api_base=api.url)
    channel = WeComKfInput(config, ChannelOptions(), state=MemoryState())
    api.kf_page_size = 2
    api.kf_messages = [
        kf_message("m1", "wmCustomerA", "你好"),
        kf_message("m2", "wmCustomerA", "人工客服的回复", origin=5),  # the servicer's own message
        {
            "msgid": "e1",
            "msgtype": "event",
            "origin": 4,
            "event": {
                "event_type": "enter_session",
                "open_kfid": "wkTestKf",
                "external_userid": "wmCustomerB",
                "welcome_code": "WELCOME_CODE_1",
            },
        },
        kf_message("m3", "wmCustomerB", "我要投诉"),
    ]
    bot = FakeBot()
    async with serve(channel, bot) as served:
        push = kf.push(kf.kf_event("wkTestKf", token="ENCcallbacktoken"))
        assert await served.post(push.query, push.body) == (200, "")
        await channel.drain()
        api.kf_messages += [kf_message("m3", "wmCustomerB", "我要投诉"), kf_message("m4", "wmCustomerA", "谢谢")]
        push = kf.push(kf.kf_event("wkTestKf"))
        assert await served.post(push.query, push.body) == (200, "")
        await channel.drain()
        forged = kf.push(kf.kf_event("wkTestKf"), token="wrong-token")
        assert (await served.post(forged.query, forged.body))[0] == 403
    assert [(c.sender_id, c.text, c.message_id) for c in bot.calls if c.sender_id == "wmCustomerA"] == [
        ("wmCustomerA", "你好", "m1"),
        ("wmCustomerA", "谢谢", "m4"),
    ]
    assert [c.text for c in bot.calls if c.sender_id == "wmCustomerB"] == ["/session_start", "我要投诉"]
    assert all(c.input_channel == "wecom_kf" for c in bot.calls)
    assert api.texts_to("wmCustomerA") == ["收到：你好", "收到：谢谢"] and api.texts_to("wmCustomerB") == [
        "收到：我要投诉"
    ]
    assert {r["path"] for r in api.sent} == {"/cgi-bin/kf/send_msg"}
    assert all(r["body"]["open_kfid"] == "wkTestKf" for r in api.sent)
    assert api.kf_welcomes[0]["body"] == {
        "code": "WELCOME_CODE_1",
        "msgtype": "text",
        "text": {"content": "收到：/session_start"},
    }
    assert [s.get("cursor", "") for s in api.kf_syncs] == ["", "2", "4"], "pages, then on from the cursor"
    assert api.kf_syncs[0]["token"] == "ENCcallbacktoken" and api.kf_syncs[0]["open_kfid"] == "wkTestKf"
    assert [r["kind"] for r in api.token_requests] == ["gettoken"]
