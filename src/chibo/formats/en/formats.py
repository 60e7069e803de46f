# English pages show dates the Vietnamese way too (design principle 7).
from chibo.formats.vi.formats import *  # noqa: F403
