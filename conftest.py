"""dlparity's pytest wiring is the plugin package fixtures/harness: options, collection, workers, records."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
if str(ROOT) not in sys.path:  # the plugin and the suites import fixtures, datasets and reports from here
    sys.path.insert(0, str(ROOT))

from fixtures.harness import PLUGINS  # noqa: E402

pytest_plugins = PLUGINS
