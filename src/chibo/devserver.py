"""`make run`: the web server on http://127.0.0.1:$PORT (8000 unless PORT says otherwise) and the background
worker, side by side. The worker's and the sweep's chatter go to var/worker.log, so the demo logins are the
last thing the terminal shows (with the server's request lines after them). Ctrl-C stops both.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import django
from django.conf import settings

LOGINS = """
chibo is running on http://127.0.0.1:{port}  (Ctrl-C stops the server and the worker)
The worker writes to {log}

Demo logins (password for all: {password}); every demo account has TOTP enrolled:
  ban.tochuc     organization officer of the upper committee (whole tree)
  ub.kiemtra     inspection officer (whole tree, read only)
  bithu.phap     secretary of the organization in France
  bithu.duc      secretary of the organization in Germany
  dangvien.phap  a member in France (own record only)
  ungvien.phap   an applicant in France (own dossier only)
The 6-digit code for the second step:  .venv/bin/chibo totp USERNAME   (e.g. chibo totp bithu.phap)
"""


SWEEP_EVERY = 60  # seconds


def _wait_for(port: int, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            time.sleep(0.2)  # let runserver finish its banner
            return
        except OSError:
            time.sleep(0.2)


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

    django.setup()
    from chibo.demo.builder import DEMO_PASSWORD  # imports models: only once django.setup() has run

    port = os.environ.get("PORT", "8000")
    if not port.isdigit() or not 0 < int(port) < 65536:
        print(f"PORT={port!r} is not a port number (1-65535).", file=sys.stderr)
        return 2
    env = {**os.environ, "CHIBO_ENV": os.environ.get("CHIBO_ENV", "dev")}
    chibo = os.path.join(os.path.dirname(sys.executable), "chibo")
    log_path = os.path.join(settings.VAR_DIR, "worker.log")
    log = open(log_path, "a", buffering=1)  # noqa: SIM115 (open for the worker's whole life)
    worker = subprocess.Popen([chibo, "db_worker", "--interval", "2"], env=env, stdout=log, stderr=log)
    server = subprocess.Popen([chibo, "runserver", f"127.0.0.1:{port}", "--noreload"], env=env)
    _wait_for(int(port), server)  # the server's own start-up lines first, then the logins
    print(LOGINS.format(password=DEMO_PASSWORD, port=port, log=log_path), flush=True)
    try:
        # The reminder sweep every minute (production runs `chibo reminders` from a timer).
        while True:
            subprocess.run([chibo, "reminders"], env=env, stdout=log, stderr=log, check=False)
            try:
                return server.wait(timeout=SWEEP_EVERY)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (server, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in (server, worker):
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        log.close()


if __name__ == "__main__":
    sys.exit(main())
