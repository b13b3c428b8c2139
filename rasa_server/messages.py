"""The words the Rasa server's own code says, in Chinese and English: one catalogue keyed by message id.

The bot's answers are Rasa responses (domain/*.yml) and the application's catalogue
(bot.messages, which this environment cannot import); what is here is what the input
channels answer by themselves: a message refused before it reaches the bot, a WeChat
message the bot cannot read, a failure on the way. tests/unit/test_responses_are_bilingual.py
fails when an entry lacks zh or en or has an empty text.
"""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, dict[str, str]] = {
    # -- a message refused by the web chat and REST channels (shown to the user in both languages)
    "refused.not_text": {"zh": "消息必须是文字。", "en": "The message must be text."},
    "refused.empty": {"zh": "消息为空，请输入内容。", "en": "The message is empty."},
    "refused.too_long": {
        "zh": "消息过长（上限{limit}字），请分段发送。",
        "en": "The message has {length} characters; the limit is {limit}.",
    },
    # -- an internal intent ("/restart", "/handoff_...") typed by a user, refused on every channel (channels/guard.py)
    "refused.internal_intent": {
        "zh": "这条消息不能由用户发送。请直接输入您的问题。",
        "en": "That message can't be sent by a user. Please type your question.",
    },
    # -- WeChat / WeCom: what the channel answers by itself, in the conversation's language
    "wechat.voice_unrecognised": {
        "zh": "抱歉，我暂时听不懂这条语音，请直接输入文字。",
        "en": "Sorry, I couldn't make out that voice message; please type your question.",
    },
    "wechat.unsupported": {
        "zh": "抱歉，我目前只能读文字消息，请用文字描述您的问题。",
        "en": "Sorry, I can only read text messages for now; please type your question.",
    },
    "wechat.error": {
        "zh": "抱歉，服务暂时出了点问题，请稍后再试。",
        "en": "Sorry, something went wrong on our side; please try again in a moment.",
    },
    "wechat.choose_hint": {"zh": "（回复数字即可选择）", "en": "(Reply with a number to choose.)"},
}


def say(message_id: str, language: str | None, **values: Any) -> str:
    """The message in `language`; in Chinese then English (two lines) when the language is not known."""
    texts = MESSAGES[message_id]
    if language in texts:
        return texts[language].format(**values)
    return f"{texts['zh'].format(**values)}\n{texts['en'].format(**values)}"


def english_and_chinese(message_id: str, **values: Any) -> str:
    """ "English 中文" on one line: a refusal shown to a user whose language is not known yet."""
    texts = MESSAGES[message_id]
    return f"{texts['en'].format(**values)} {texts['zh'].format(**values)}"
