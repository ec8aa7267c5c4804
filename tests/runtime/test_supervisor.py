"""The supervisor on its own: restarts a dying child with backoff, then gives up loudly."""

import json
import sys
from pathlib import Path

import pytest

from service.runtime.children import ChildSpec
from service.runtime.supervisor import Supervisor
from tests.runtime.serve_process import gone, wait_for


def test_a_child_that_keeps_dying_is_restarted_then_given_up_loudly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = tmp_path / "run" / "supervisor.json"
    supervisor = Supervisor(tmp_path / "run", status, backoff_s=(0.1, 0.2), max_restarts=3)
    supervisor.add_child(ChildSpec("flaky", (sys.executable, "-c", "raise SystemExit(3)")), {})
    supervisor.start()
    try:
        unit = wait_for(lambda: (u := json.loads(status.read_text())["units"]["flaky"])["state"]
                        == "failed" and u, "the supervisor to give up", timeout_s=120)
        assert unit["restarts"] == 3 and unit["last_exit"] == "exit code 3"
        assert "已放弃自动重启" in capsys.readouterr().err
    finally:
        supervisor.stop()
    assert not status.exists()


def test_stop_ends_a_running_child_and_removes_its_pid_file(tmp_path: Path) -> None:
    supervisor = Supervisor(tmp_path / "run", tmp_path / "run" / "supervisor.json")
    supervisor.add_child(ChildSpec("sleeper", (sys.executable, "-c", "import time; time.sleep(600)"),
                                   stop_timeout_s=5), {})
    supervisor.start()
    pid_file = tmp_path / "run" / "sleeper.pid"
    pid = json.loads(pid_file.read_text())["child"][0]
    supervisor.stop()
    assert gone(pid) and not pid_file.exists()
