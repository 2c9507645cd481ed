"""Development authentication costs a `metasaas list` nothing: no ORM models, no hashing
or JWT library is loaded to learn that the caller is the development admin."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_dev_identify_loads_no_tables_or_crypto(tmp_path: Path) -> None:
    code = (
        "import sys, json; from core.bootstrap import bootstrap; "
        "from core.settings import Settings; "
        f"a = bootstrap(Settings(database_url='sqlite:///{tmp_path}/x.db')); "
        "a.auth.identify(None, None); "
        "print(json.dumps(sorted(m for m in ('sqlmodel', 'alembic', 'core.db.platform_tables', "
        "'argon2', 'jwt') if m in sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
