"""`make run`'s development environment file: fresh distinct tokens, readable by the owner only."""

from __future__ import annotations

import stat
import subprocess

from tests.actions.conftest import ROOT


def test_dev_env_has_every_token_and_mode_0600_whatever_the_umask(tmp_path):
    target = tmp_path / "var" / "loket.env"
    subprocess.run(["bash", "-c", f"umask 000 && make -s DEV_ENV={target} {target}"],
                   cwd=ROOT, check=True, capture_output=True)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    values = dict(line.split("=", 1) for line in target.read_text().splitlines())
    tokens = [values[name] for name in ("LOKET_SERVICE_TOKEN", "LOKET_ASSISTANT_TOKEN",
                                        "LOKET_ACTION_TOKEN", "LOKET_RASA_TOKEN")]
    assert len(set(tokens)) == 4 and all(len(token) >= 32 for token in tokens)
    assert values["LOKET_TRUST_REST_EMAIL"] == "true"  # development: make run and make chat
    assert not list(target.parent.glob("*.tmp"))
