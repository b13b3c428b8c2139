"""`python -m actions` starts rasa_sdk's action server with numbers masked in its log from the start."""

import logging

import pytest

from actions.__main__ import main


def test_the_action_server_masks_numbers_before_rasa_sdk_logs_anything(capsys, caplog) -> None:
    before = logging.getLogRecordFactory()
    try:
        with pytest.raises(SystemExit) as done:
            main(["--help"])  # rasa_sdk's own command line: prints its options and exits
        assert done.value.code == 0
        assert "--actions" in capsys.readouterr().out
        assert getattr(logging.getLogRecordFactory(), "redacting", False)
        caplog.set_level(logging.DEBUG)
        logging.getLogger("rasa_sdk.executor").debug("slot phone = %s", "13812345678")
        assert caplog.records[-1].getMessage() == "slot phone = 138****5678"
    finally:
        logging.setLogRecordFactory(before)
