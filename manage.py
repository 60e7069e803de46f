#!/usr/bin/env python
"""Development entry point; the installed equivalent is the `chibo` command."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from chibo.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
