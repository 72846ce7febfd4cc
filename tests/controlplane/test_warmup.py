"""A web process loads its views before the first request and freezes what it loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
import controlplane.wsgi as wsgi
garbage = []
garbage.append(garbage)
del garbage
print(json.dumps({
    "handler": type(wsgi.application).__name__,
    "frozen": gc.get_freeze_count(),
    "api_views": "api.v1.views" in sys.modules,
    "console_views": "frontend.console.views" in sys.modules,
    "collected": gc.collect(),
    "threshold": gc.get_threshold()[0],
}))
"""


def test_the_wsgi_module_loads_the_views_and_freezes() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "controlplane.settings"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["handler"] == "WSGIHandler"
    # Both URL confs were imported with the views they route to, before any request.
    assert probe["api_views"]
    assert probe["console_views"]
    # What was loaded sits in the permanent generation, out of the collector's walks;
    # what is allocated afterwards is collected as usual.
    assert probe["frozen"] > 10_000
    assert probe["collected"] >= 1
    assert probe["threshold"] == 5000
