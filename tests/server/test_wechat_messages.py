"""Pure parts of the WeChat channels: reading pushes, rendering turns, splitting, settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from rasa_server.channels.wechat.config import ChannelOptions, ConfigError, OfficialAccountConfig, WeComConfig
from rasa_server.channels.wechat.messages import chosen, parse_inbound, render_turn, split_text
from rasa_server.channels.wechat.security import Rejected, mask, parse_query
from tests.wechat_sim import OfficialAccountSimulator

ROOT = Path(__file__).resolve().parents[2]
SIM = OfficialAccountSimulator("token", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wx1")


def test_events_are_keyed_by_sender_time_and_event_and_messages_by_msgid():
    subscribe = parse_inbound(SIM.event("oA", "subscribe", "qrscene_42", create_time=1700000000))
    assert (subscribe.kind, subscribe.dedup_key) == ("subscribe", "event:oA:1700000000:subscribe")
    click = parse_inbound(SIM.event("oA", "CLICK", "MENU_HELP"))
    assert (click.kind, click.event_key) == ("click", "MENU_HELP")
    text = parse_inbound(SIM.text("oA", "你好", "6054768590064713728"))
    assert (text.dedup_key, text.message_id) == ("msg:6054768590064713728", "6054768590064713728")
    assert parse_inbound(SIM.event("oA", "unsubscribe")).kind == "ignored"
    assert parse_inbound(SIM.event("oA", "LOCATION")).kind == "ignored"
    assert parse_inbound(SIM.image("oA")).kind == "unsupported"


def test_a_message_without_msgid_or_sender_is_malformed():
    with pytest.raises(Rejected):
        parse_inbound("<xml><FromUserName>o</FromUserName><CreateTime>1</CreateTime><MsgType>text</MsgType></xml>")
    with pytest.raises(Rejected):
        parse_inbound("<xml><CreateTime>1</CreateTime><MsgType>text</MsgType><MsgId>1</MsgId></xml>")
    with pytest.raises(Rejected):
        parse_inbound('<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><FromUserName>&a;</FromUserName></xml>')


def test_a_turn_renders_as_one_text_with_numbered_choices():
    rendered = render_turn(
        [
            {"recipient_id": "u", "text": "Did you mean:"},
            {
                "recipient_id": "u",
                "text": "Pick one",
                "buttons": [
                    {"title": "Plan change", "payload": '/faq_pick{"faq_topic": "plan_change"}'},
                    {"title": "None of these", "payload": "/faq_pick_none"},
                ],
            },
        ]
    )
    assert (
        rendered.text == "Did you mean:\n\nPick one\n1. Plan change\n2. None of these\n(Reply with a number to choose.)"
    )
    assert rendered.choices == ['/faq_pick{"faq_topic": "plan_change"}', "/faq_pick_none"]
    assert rendered.language == "en"
    assert render_turn([]).text == ""


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("1", "a"), (" 2 ", "b"), ("２", "b"), ("2.", "b"), ("2、", "b"), ("3", None), ("0", None), ("12", None)],
)
def test_a_number_picks_the_offered_choice(answer, expected):
    assert chosen(answer, ["a", "b"]) == expected


def test_no_choice_without_an_offer_or_for_other_text():
    assert chosen("1", []) is None
    assert chosen("1 want to complain", ["a"]) is None
    assert chosen("13812345678", ["a"]) is None


def test_split_keeps_each_part_within_the_byte_limit_and_prefers_sentence_ends():
    text = "这是第一句话。" * 200
    parts = split_text(text, 2048, 5)
    assert all(len(part.encode()) <= 2048 for part in parts)
    assert all(part.endswith("。") for part in parts)
    assert "".join(parts) == text


def test_split_trims_past_the_message_count_with_an_ellipsis():
    parts = split_text("字" * 10_000, 2048, 2)
    assert len(parts) == 2 and parts[-1].endswith("…")
    assert all(len(part.encode()) <= 2048 for part in parts)


def test_split_never_cuts_a_character_in_half():
    parts = split_text("😀" * 1000, 2048, 5)
    assert "".join(parts) == "😀" * 1000


def test_identifiers_are_masked_and_plus_is_kept_in_queries():
    assert mask("oyORnuP8q7ou2gfYjqLzSIWZf0rs") == "oyOR****"
    assert mask("abc") == "****" and mask(None) == "-"
    assert parse_query("echostr=a+b%2Bc%2F&x=1&x=2") == {"echostr": "a+b+c/", "x": "1"}


def test_settings_refuse_what_cannot_work():
    env = {
        "WECHAT_OA_APPID": "wx1",
        "WECHAT_OA_APPSECRET": "s",
        "WECHAT_OA_TOKEN": "tok123",
        "WECHAT_OA_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    }
    assert OfficialAccountConfig.from_env(env).safe_mode
    with pytest.raises(ConfigError, match="WECHAT_OA_AES_KEY"):
        OfficialAccountConfig.from_env({**env, "WECHAT_OA_AES_KEY": ""})
    plain = OfficialAccountConfig.from_env({**env, "WECHAT_OA_AES_KEY": "", "WECHAT_OA_SAFE_MODE": "false"})
    assert not plain.safe_mode and plain.aes_key is None
    with pytest.raises(ConfigError, match="WECHAT_OA_TOKEN"):
        OfficialAccountConfig.from_env({**env, "WECHAT_OA_TOKEN": "a b"})
    with pytest.raises(ConfigError, match="WECOM_AGENT_ID"):
        WeComConfig.from_env(
            {
                "WECOM_CORPID": "ww1",
                "WECOM_AGENT_ID": "x",
                "WECOM_SECRET": "s",
                "WECOM_TOKEN": "tok",
                "WECOM_AES_KEY": env["WECHAT_OA_AES_KEY"],
            }
        )
    with pytest.raises(ConfigError):
        ChannelOptions.from_credentials({"reply_budget_seconds": 6})
    with pytest.raises(ConfigError):
        ChannelOptions.from_credentials({"max_message_bytes": 4096})


def test_the_committed_credentials_file_loads_both_channels_without_wechat_settings(monkeypatch):
    import yaml
    from rasa.core.run import create_http_input_channels

    for name in ("WECHAT_OA_APPID", "WECHAT_OA_APPSECRET", "WECHAT_OA_TOKEN", "WECOM_CORPID", "WECOM_SECRET"):
        monkeypatch.delenv(name, raising=False)
    channels = {channel.name(): channel for channel in create_http_input_channels(None, str(ROOT / "credentials.yml"))}
    assert {"rest", "socketio", "wechat_oa", "wecom", "wecom_kf"} <= set(channels)
    assert all(channels[name].codec is None for name in ("wechat_oa", "wecom", "wecom_kf"))
    text = (ROOT / "credentials.yml").read_text(encoding="utf-8")
    assert "${" not in text, "Rasa refuses to start when a ${VAR} of credentials.yml is unset"
    menu = yaml.safe_load(text)["rasa_server.channels.wechat.WeChatOfficialAccountInput"]
    intents = set()
    for path in (ROOT / "domain").glob("*.yml"):
        intents |= set(yaml.safe_load(path.read_text(encoding="utf-8")).get("intents") or [])
    for target in menu["menu"].values():
        assert target.startswith("/") and target[1:].split("{")[0] in intents, f"{target} is not an intent"
