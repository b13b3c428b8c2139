"""The platforms' official test vectors and wechatpy's own fixtures, through the channel's codecs.

Official Account: the safe-mode sample of the 公众平台 message-encryption SDK (WXBizMsgCrypt,
token "spamtest"). WeCom: VerifyURL and DecryptMsg of the 企业微信 callback SDK samples
(token "QDG6eK"). wechatpy: tests/test_crypto.py (deterministic encryption with a fixed
random prefix). The clock-skew check is off here: the vectors date from 2014.
"""

from __future__ import annotations

import pytest
import xmltodict
from wechatpy.work import crypto as work_crypto

from rasa_server.channels.wechat.config import OfficialAccountConfig, WeComConfig, valid_aes_key
from rasa_server.channels.wechat.messages import parse_inbound, passive_text_xml
from rasa_server.channels.wechat.security import OfficialAccountCodec, Rejected, WeComCodec, parse_query, signature_of
from tests.wechat_sim import OfficialAccountSimulator

# --- Official Account, safe mode (official sample)
OA_TOKEN = "spamtest"
OA_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
OA_APPID = "wx2c2769f8efd9abc2"
OA_TIMESTAMP, OA_NONCE = "1409735669", "1320562132"
OA_MSG_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
OA_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHFVAFmOD2LdJF9F"
    "rXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt"
    "+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h"
    "0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)
OA_BODY = f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[{OA_ENCRYPT}]]></Encrypt></xml>"

# --- WeCom (official samples)
WECOM_TOKEN = "QDG6eK"
WECOM_AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
WECOM_CORPID = "wx5823bf96d3bd56c7"
WECOM_VERIFY_QUERY = (
    "msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780"
    "&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
)
WECOM_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJ"
    "Ts3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2h"
    "gf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4E"
    "hzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Y"
    "oyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
)
WECOM_BODY = (
    f"<xml><ToUserName><![CDATA[{WECOM_CORPID}]]></ToUserName><Encrypt><![CDATA[{WECOM_ENCRYPT}]]></Encrypt>"
    "<AgentID><![CDATA[218]]></AgentID></xml>"
)
WECOM_MESSAGE_QUERY = {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6", "timestamp": "1409659813"}


def oa_codec(app_id: str = OA_APPID, token: str = OA_TOKEN) -> OfficialAccountCodec:
    config = OfficialAccountConfig(app_id=app_id, app_secret="secret", token=token, aes_key=OA_AES_KEY)
    return OfficialAccountCodec(config, max_clock_skew=0)


def oa_query(**changes: str) -> dict[str, str]:
    query = {
        "signature": signature_of(OA_TOKEN, OA_TIMESTAMP, OA_NONCE),
        "timestamp": OA_TIMESTAMP,
        "nonce": OA_NONCE,
        "openid": "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
        "encrypt_type": "aes",
        "msg_signature": OA_MSG_SIGNATURE,
    }
    return {**query, **changes}


def wecom_codec(corp_id: str = WECOM_CORPID, agent_id: int = 218) -> WeComCodec:
    config = WeComConfig(corp_id=corp_id, agent_id=agent_id, secret="s", token=WECOM_TOKEN, aes_key=WECOM_AES_KEY)
    return WeComCodec(config, max_clock_skew=0)


def test_the_plain_signature_vectors():
    assert signature_of("AAAAA", "1714036504", "1514711492") == "f464b24fc39322e44b38aa78f5edd27bd1441696"
    # The official safe-mode sample's plain `signature` (token, timestamp, nonce) and msg_signature.
    assert signature_of(OA_TOKEN, OA_TIMESTAMP, OA_NONCE) == "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"
    assert signature_of(OA_TOKEN, OA_TIMESTAMP, OA_NONCE, OA_ENCRYPT) == OA_MSG_SIGNATURE


def test_the_official_account_safe_mode_vector_decrypts_to_the_sample_text():
    opened = oa_codec().open(oa_query(), OA_BODY.encode())
    inbound = parse_inbound(opened.xml)
    assert opened.encrypted
    assert (inbound.kind, inbound.text, inbound.message_id) == ("text", "abcdteT", "6054768590064713728")
    assert inbound.sender == "oyORnuP8q7ou2gfYjqLzSIWZf0rs" and inbound.recipient == "gh_10f6c3c3ac5a"


@pytest.mark.parametrize(
    ("codec", "query", "reason"),
    [
        (lambda: oa_codec(), oa_query(msg_signature="0" * 40), "bad msg_signature"),
        (lambda: oa_codec(), oa_query(nonce="1320562133"), "bad signature"),
        (lambda: oa_codec(app_id="wx0000000000000000"), oa_query(), "encrypted for another AppID"),
        (lambda: oa_codec(), {k: v for k, v in oa_query().items() if k != "encrypt_type"}, "plaintext push"),
    ],
    ids=["msg-signature", "signature", "appid", "not-encrypted"],
)
def test_the_official_account_vector_is_refused_when_anything_differs(codec, query, reason):
    with pytest.raises(Rejected) as refused:
        codec().open(query, OA_BODY.encode())
    assert refused.value.status == 403 and reason in refused.value.reason


def test_the_wecom_verify_url_vector_returns_the_sample_echo():
    assert wecom_codec().verify_url(parse_query(WECOM_VERIFY_QUERY)) == "1616140317555161061"
    # A proxy that decoded the query leaves raw '+' and '/': they must not turn into spaces.
    raw = WECOM_VERIFY_QUERY.replace("%2F", "/").replace("%2B", "+").replace("%3D", "=")
    assert wecom_codec().verify_url(parse_query(raw)) == "1616140317555161061"


def test_the_wecom_decrypt_msg_vector_gives_hello_from_mycreate():
    query = {**WECOM_MESSAGE_QUERY, "nonce": "1372623149"}
    inbound = parse_inbound(wecom_codec().open(query, WECOM_BODY.encode()).xml)
    assert (inbound.kind, inbound.text, inbound.sender, inbound.agent_id) == ("text", "hello", "mycreate", "218")


def test_the_wecom_vector_is_refused_for_another_corpid_agent_or_signature():
    query = {**WECOM_MESSAGE_QUERY, "nonce": "1372623149"}
    for codec, reason in (
        (wecom_codec(corp_id="ww0000000000000000"), "another corpid"),
        (wecom_codec(agent_id=219), "another AgentID"),
    ):
        with pytest.raises(Rejected, match=reason):
            codec.open(query, WECOM_BODY.encode())
    with pytest.raises(Rejected, match="bad msg_signature"):
        wecom_codec().open({**query, "nonce": "1372623148"}, WECOM_BODY.encode())
    # The trailing ReceiveId is checked after decryption too (outer ToUserName left out).
    body = WECOM_BODY.replace(f"<ToUserName><![CDATA[{WECOM_CORPID}]]></ToUserName>", "")
    codec = wecom_codec(corp_id="ww0000000000000000")
    with pytest.raises(Rejected, match="encrypted for another corpid"):
        codec.open(query, body.encode())


class FixedPrefix(work_crypto.PrpCrypto):
    def get_random_string(self):
        return "1234567890123456"


def test_wechatpys_own_fixture_encrypts_deterministically_and_decrypts(monkeypatch):
    """wechatpy tests/test_crypto.py: encrypt with a fixed random prefix, decrypt its sample."""
    token, key, corp_id = "123456", "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR", "wx49f0ab532d5d035a"
    monkeypatch.setattr(work_crypto, "PrpCrypto", FixedPrefix)
    reply = (
        "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
        "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n<ToUserName><![CDATA[messense]]></ToUserName>\n"
        "<AgentID>1</AgentID>\n<CreateTime>1411525903</CreateTime>\n</xml>"
    )
    encrypted = xmltodict.parse(
        work_crypto.WeChatCrypto(token, key, corp_id).encrypt_message(reply, "461056294", "1411525903")
    )
    assert encrypted["xml"]["MsgSignature"] == "407518b7649e86ef23978113f92d27afa9296533"
    assert encrypted["xml"]["Encrypt"].startswith("9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk")
    monkeypatch.undo()
    sample = (
        "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh"
        "6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQq"
        "Gp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7F"
        "S709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
    )
    config = WeComConfig(corp_id=corp_id, agent_id=1, secret="s", token=token, aes_key=key)
    query = {
        "msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d",
        "timestamp": "1411525903",
        "nonce": "461056294",
    }
    body = f"<xml><ToUserName><![CDATA[{corp_id}]]></ToUserName><Encrypt><![CDATA[{sample}]]></Encrypt></xml>"
    inbound = parse_inbound(WeComCodec(config, max_clock_skew=0).open(query, body.encode()).xml)
    assert (inbound.text, inbound.sender) == ("test", "messense")


def test_an_encrypted_passive_reply_verifies_and_decrypts_as_the_platform_does():
    codec = oa_codec()
    content = "您好]]><b>not markup</b> & 5G"
    sealed = codec.seal(passive_text_xml("oUser", "gh_10f6c3c3ac5a", content, 1409735670), encrypted=True)
    reply = OfficialAccountSimulator(OA_TOKEN, OA_AES_KEY, OA_APPID).read_reply(sealed)
    assert reply is not None and reply["Content"] == content and reply["ToUserName"] == "oUser"


def test_encoding_aes_keys_are_checked():
    assert valid_aes_key(OA_AES_KEY) and valid_aes_key(WECOM_AES_KEY)
    assert not valid_aes_key(OA_AES_KEY[:-1]) and not valid_aes_key("!" * 43)
