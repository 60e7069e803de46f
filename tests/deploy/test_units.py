"""The systemd units in deploy/systemd: `systemd-analyze verify` finds nothing wrong in them (pointed at this
checkout), every timer starts a service of its own name, and the commands the units run work with production
settings on a copy of the test database: the sweep, the audit anchor (a SEQ:HASH line appended outside the
database) and the verification against it, and the worker (one batch). The web unit runs in test_nginx.py."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from deploy_support import DEPLOY, PROJECT, at_checkout, exec_starts

pytestmark = pytest.mark.django_db
UNITS = sorted((DEPLOY / "systemd").iterdir())


def test_systemd_finds_nothing_wrong_in_the_units(tmp_path):
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze is missing: `make test` installs Debian's systemd package"
    env_file = tmp_path / "chibo.env"
    env_file.write_text((DEPLOY / "chibo.env.example").read_text())
    names = {unit.name for unit in UNITS}
    assert {"chibo-web.service", "chibo-worker.service", "chibo-reminders.service", "chibo-reminders.timer",
            "chibo-audit-anchor.service", "chibo-audit-anchor.timer"} <= names
    for unit in UNITS:
        text = unit.read_text()
        if unit.suffix == ".service":
            text = at_checkout(text).replace("EnvironmentFile=/etc/chibo/chibo.env", f"EnvironmentFile={env_file}")
        else:
            assert unit.with_suffix(".service").name in names, f"{unit.name} starts no service of ours"
        (tmp_path / unit.name).write_text(text)
    run = subprocess.run([analyze, "verify", *sorted(str(p) for p in tmp_path.glob("chibo-*"))],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr


def run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, env=env, cwd=PROJECT, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def test_the_units_commands_run_in_production(database_copy, production_env, tmp_path: Path):
    var_dir, anchors = tmp_path / "var", tmp_path / "other-mount" / "chibo.anchors"
    var_dir.mkdir()
    anchors.parent.mkdir()
    env = production_env(database_copy.url, var_dir, CHIBO_AUDIT_ANCHORS=str(anchors),
                         CHIBO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
                         CHIBO_EMAIL_FILE_PATH=str(tmp_path / "mail"))

    [sweep] = exec_starts("chibo-reminders.service", env)
    assert "Reminders:" in run(sweep, env).stdout

    anchor, verify = exec_starts("chibo-audit-anchor.service", env)
    assert anchor[-1] == str(anchors)  # ${CHIBO_AUDIT_ANCHORS} from the environment file
    run(anchor, env)
    lines = [line.split()[0] for line in anchors.read_text().splitlines() if line.strip()]
    assert lines and all(re.fullmatch(r"\d+:[0-9a-f]{64}", line) for line in lines), lines
    head = database_copy.rows("SELECT MAX(seq) FROM core_auditevent")[0][0]
    assert int(lines[-1].split(":")[0]) == head
    run(verify, env)

    [worker] = exec_starts("chibo-worker.service", env)
    run([*worker, "--batch", "--no-startup-delay"], env)  # the unit's worker, for one batch
