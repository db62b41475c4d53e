"""The app on a benchmark catalogue, for timing the search page over HTTP (see search_bench.py --http).

Same as wsgi.py except the database and index come from bench/out/, and the matching updater is off (it would
spend the CPU computing suggestions for the whole synthetic catalogue while the search page is timed).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from search_bench import OUT  # noqa: E402

from marketplace import create_app  # noqa: E402

size = int(os.environ.get("BENCH_SIZE", "100000"))
app = create_app(
    SQLALCHEMY_DATABASE_URI=f"sqlite:///{OUT}/bench-{size}.db",
    SEARCH_INDEX_DIR=str(OUT / f"index-{size}"),
    INSTANCE_PATH=str(OUT / "instance"),
    SECRET_KEY="bench",
    MATCH_BACKGROUND=False,
)
