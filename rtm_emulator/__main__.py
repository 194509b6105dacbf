"""``python -m rtm_emulator``: the command line."""

import sys

from .cli import main

sys.exit(main())
