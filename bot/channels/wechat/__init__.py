"""WeChat Official Account (公众号) and WeCom (企业微信) input channels, named in credentials.yml as
`bot.channels.wechat.WeChatOfficialAccountInput`, `bot.channels.wechat.WeComInput` and
`bot.channels.wechat.WeComKfInput` (微信客服)."""

from bot.channels.wechat.channel import WeChatInputBase, WeChatOfficialAccountInput, WeComInput, WeComKfInput

__all__ = ["WeChatInputBase", "WeChatOfficialAccountInput", "WeComInput", "WeComKfInput"]
