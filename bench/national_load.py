"""Load national-scale members and units into the bench database (COPY): python bench/national_load.py MEMBERS UNITS"""

import sys
import time

import django

django.setup()

from chibo.demo.national import build_national  # noqa: E402

started = time.monotonic()
result = build_national(members=int(sys.argv[1]), units=int(sys.argv[2]), log=lambda s: print(s, flush=True))
print(f"national load: {result} ({time.monotonic() - started:.0f}s)", flush=True)
