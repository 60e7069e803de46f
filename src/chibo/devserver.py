"""`make run`: the web server on http://127.0.0.1:8000 and the background worker, side by side.

Prints the demo logins first. Ctrl-C stops both.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import django

LOGINS = """
chibo is running on http://127.0.0.1:8000  (Ctrl-C stops the server and the worker)

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


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chibo.settings")

    django.setup()
    from chibo.demo.builder import DEMO_PASSWORD  # imports models: only once django.setup() has run

    env = {**os.environ, "CHIBO_ENV": os.environ.get("CHIBO_ENV", "dev")}
    chibo = os.path.join(os.path.dirname(sys.executable), "chibo")
    worker = subprocess.Popen([chibo, "db_worker", "--interval", "2"], env=env)
    print(LOGINS.format(password=DEMO_PASSWORD), flush=True)
    server = subprocess.Popen([chibo, "runserver", "127.0.0.1:8000", "--noreload"], env=env)
    try:
        # The reminder sweep every minute (production runs `chibo reminders` from a timer).
        while True:
            subprocess.run([chibo, "reminders"], env=env, stdout=subprocess.DEVNULL, check=False)
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


if __name__ == "__main__":
    sys.exit(main())
