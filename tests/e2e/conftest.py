from collections.abc import Iterator

import pytest

from tests.e2e.servers import Servers, running_servers
from tests.wechat_sim import FakePlatformAPI

# A test Official Account for the WeChat channel (made-up values; the outbound API is a local fake).
WECHAT_OA = {
    "WECHAT_OA_APPID": "wxe2e0123456789abc",
    "WECHAT_OA_APPSECRET": "e2e-app-secret",
    "WECHAT_OA_TOKEN": "E2eWechatToken",
    "WECHAT_OA_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "WECHAT_OA_SAFE_MODE": "true",
}


@pytest.fixture(scope="session")
def wechat_api() -> Iterator[FakePlatformAPI]:
    """The platform's customer-service API, faked on 127.0.0.1 for the Rasa server's async answers."""
    with FakePlatformAPI() as api:
        yield api


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory, wechat_api: FakePlatformAPI) -> Iterator[Servers]:
    env = {**WECHAT_OA, "WECHAT_OA_API_BASE": wechat_api.url}
    with running_servers(tmp_path_factory.mktemp("servers"), env_extra=env) as running:
        yield running
