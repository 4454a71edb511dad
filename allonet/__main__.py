"""``python -m allonet`` runs the command-line interface."""

import sys

from allonet.cli import main

sys.exit(main())
