"""The Rasa patches are installed on purpose (`python -m rasa_server`), on the Rasa version they were
tested on only, and RASA_PATCHES turns them off or picks some; importing a channel installs nothing."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event

from rasa_server import rasa_fixes, startup
from rasa_server.rasa_fixes import PATCHES, TESTED_RASA_VERSION, UntestedRasaVersion

ROOT = Path(__file__).resolve().parents[2]
ALL = ["action_reply_schema", "event_lookup", "dialogue_states"]


@pytest.fixture(autouse=True)
def rasas_own_code_afterwards():
    yield
    rasa_fixes.uninstall()


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    """The server environment's Python with `args`, RASA_PATCHES only as `env` sets it."""
    inherited = {key: value for key, value in os.environ.items() if key != "RASA_PATCHES"}
    environ = {**inherited, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", **env}
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


def test_the_patches_were_tested_on_the_rasa_installed_here() -> None:
    assert rasa.__version__ == TESTED_RASA_VERSION


def test_install_puts_each_patch_in_place_of_rasas_code() -> None:
    assert rasa_fixes.install({}) == ALL
    assert rasa_fixes.installed() == ALL
    assert RemoteAction._validate_action_result is rasa_fixes._validate_action_result
    assert Event.resolve_by_type is rasa_fixes.resolve_event_type
    assert Domain.states_for_tracker_history is rasa_fixes.states_for_tracker_history


def test_an_untested_rasa_version_is_refused_with_both_versions_named_and_nothing_installed() -> None:
    with pytest.raises(UntestedRasaVersion) as refused:
        rasa_fixes.install({}, version="3.6.22")
    assert "tested on Rasa 3.6.21" in str(refused.value) and "this is Rasa 3.6.22" in str(refused.value)
    assert "RASA_PATCHES=off" in str(refused.value)
    assert rasa_fixes.installed() == []


@pytest.mark.parametrize("setting", ["off", "OFF", "none"])
def test_rasa_patches_off_puts_rasas_own_code_back(setting: str) -> None:
    rasa_fixes.install({})
    assert rasa_fixes.install({"RASA_PATCHES": setting}) == []
    assert rasa_fixes.installed() == []
    for patch in PATCHES.values():
        assert patch.owner.__dict__[patch.attribute] is patch.original
    assert Domain.states_for_tracker_history is rasa_fixes.rasa_states_for_tracker_history


def test_off_runs_on_any_rasa_version() -> None:
    assert rasa_fixes.install({"RASA_PATCHES": "off"}, version="4.0.0") == []


def test_a_list_installs_only_the_patches_it_names() -> None:
    assert rasa_fixes.install({"RASA_PATCHES": "dialogue_states, event_lookup"}) == ["event_lookup", "dialogue_states"]
    assert rasa_fixes.installed() == ["event_lookup", "dialogue_states"]
    assert RemoteAction._validate_action_result is PATCHES["action_reply_schema"].original


def test_an_unknown_patch_name_is_refused_with_the_names_there_are() -> None:
    with pytest.raises(ValueError, match="no patch named statez .*action_reply_schema, event_lookup, dialogue_states"):
        rasa_fixes.install({"RASA_PATCHES": "statez"})


def test_importing_the_channels_and_stores_installs_no_patch() -> None:
    modules = ["channels", "channels.webchat", "channels.rest", "trackers", "locks", "nlu.linear_classifier"]
    code = "".join(f"import rasa_server.{m}\n" for m in modules)
    code += "from rasa_server import rasa_fixes\nprint(rasa_fixes.installed())\n"
    done = run_python(["-c", code])
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_python_m_rasa_server_installs_the_patches_then_runs_rasas_command_line() -> None:
    done = run_python(["-m", "rasa_server", "--version"])
    assert done.returncode == 0, done.stderr
    assert "Rasa patches installed: action_reply_schema, event_lookup, dialogue_states" in done.stderr
    assert "Rasa Version" in done.stdout and TESTED_RASA_VERSION in done.stdout


def test_python_m_rasa_server_with_rasa_patches_off_runs_rasa_alone() -> None:
    done = run_python(["-m", "rasa_server", "--version"], RASA_PATCHES="off")
    assert done.returncode == 0, done.stderr
    assert "Rasa patches off (RASA_PATCHES=off)" in done.stderr and "Rasa Version" in done.stdout


def test_python_m_rasa_server_refuses_an_unknown_patch_before_rasa_starts() -> None:
    done = run_python(["-m", "rasa_server", "--version"], RASA_PATCHES="everything")
    assert done.returncode == 2
    assert "error: RASA_PATCHES='everything': no patch named everything" in done.stderr
    assert "Rasa Version" not in done.stdout


def test_start_masks_phone_numbers_in_every_log_record_before_installing_the_patches(caplog) -> None:
    before = logging.getLogRecordFactory()
    try:
        assert startup.start({"RASA_PATCHES": "off"}) == []
        caplog.set_level(logging.DEBUG)
        logging.getLogger("rasa.core.processor").debug("Received user message '%s'", "回电 13812345678")
        assert caplog.records[-1].getMessage() == "Received user message '回电 138****5678'"
    finally:
        logging.setLogRecordFactory(before)
