"""`python -m fernway_sandbox ...`"""

import sys

from fernway_sandbox.cli import main

sys.exit(main())
