"""Settings for the test suite: chibo.settings with CHIBO_ENV=test (the suite's only difference)."""

import os

os.environ["CHIBO_ENV"] = "test"

from chibo.settings import *  # noqa: E402,F403
