"""``python -m forms_api.cli``: the ``ipps`` command without the installed script."""

import sys

from .main import main

sys.exit(main())
