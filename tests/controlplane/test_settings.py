"""Production settings pass Django's deployment checks."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT, process_environment


def test_check_deploy_is_clean_under_production_settings() -> None:
    env = process_environment(
        DJANGO_DEBUG="false",
        SECRET_KEY="k" * 20 + "-production-grade-secret-key-with-enough-entropy-1234567890",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
