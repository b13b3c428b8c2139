"""Numbers are masked in every log record once the process installs the redaction (web app, action server)."""

import logging

import pytest

from common.redact import install_log_redaction


@pytest.fixture
def redaction():
    before = logging.getLogRecordFactory()
    install_log_redaction()
    install_log_redaction()  # twice: still one layer
    yield
    logging.setLogRecordFactory(before)


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (("user said %s", "我的号码 139.8765.4321"), "user said 我的号码 139****4321"),
        (("ticket %s for %s", "C20261129-0001", "一三九八七六五四三二一"), "ticket C20261129-0001 for 139****4321"),
        (("no number here, 5G in %d places", 3), "no number here, 5G in 3 places"),
    ],
)
@pytest.mark.usefixtures("redaction")
def test_any_logger_masks_numbers_in_its_messages(caplog, call, expected):
    caplog.set_level(logging.INFO)
    logging.getLogger("some.library").info(*call)
    assert caplog.records[-1].getMessage() == expected


@pytest.mark.usefixtures("redaction")
def test_a_malformed_log_call_is_left_to_logging():
    record = logging.getLogger("x").makeRecord("x", logging.INFO, "f", 1, "%s %s", ("one",), None)
    assert record.msg == "%s %s"


@pytest.mark.usefixtures("redaction")
def test_a_logged_traceback_masks_the_numbers_its_error_quotes(caplog):
    try:
        raise ValueError("cannot store description '回电 13812345678'")
    except ValueError:
        logging.getLogger("sqlalchemy.engine").exception("insert failed")
    formatted = logging.Formatter().format(caplog.records[-1])
    assert "138****5678" in formatted and "13812345678" not in formatted
