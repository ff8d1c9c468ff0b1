"""`python -m ketabrochure`."""

import sys

from .cli import main

sys.exit(main())
