import sys

from rpgdash.cli import main

sys.exit(main())
