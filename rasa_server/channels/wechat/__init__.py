"""WeChat Official Account (公众号) and WeCom (企业微信) input channels, named in credentials.yml as
`rasa_server.channels.wechat.WeChatOfficialAccountInput`, `rasa_server.channels.wechat.WeComInput` and
`rasa_server.channels.wechat.WeComKfInput` (微信客服)."""

from rasa_server.channels.wechat.channel import WeChatInputBase, WeChatOfficialAccountInput, WeComInput, WeComKfInput

__all__ = ["WeChatInputBase", "WeChatOfficialAccountInput", "WeComInput", "WeComKfInput"]
