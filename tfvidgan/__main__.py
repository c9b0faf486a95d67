"""``python -m tfvidgan`` = the ``tfvidgan`` command."""

import sys

from tfvidgan.cli import main

sys.exit(main())
