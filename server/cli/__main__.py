"""``python -m server.cli``: the ``tadqiq`` command without its installed script."""

import sys

from server.cli import main

sys.exit(main())
