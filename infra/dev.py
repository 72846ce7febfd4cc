"""The two commands: ``make run`` and ``make test`` end up here.

``python -m infra.dev run``   start the services, migrate, seed the demo, serve web + worker + beat
``python -m infra.dev exec -- CMD...``   start the services, run CMD with the environment set

Services this process started are stopped when it ends; services that were already
running (another ``make run``) are left alone.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from infra.devservices import DATA_DIR, ROOT, Services, ensure_services

PYTHON = sys.executable
BIN = Path(PYTHON).parent


def _environment(services: Services) -> dict[str, str]:
    env = dict(os.environ)
    env.update(services.environment)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def command_exec(argv: list[str]) -> int:
    services = ensure_services()
    try:
        return subprocess.run(argv, cwd=ROOT, env=_environment(services)).returncode
    except KeyboardInterrupt:
        return 130
    finally:
        services.stop()


def command_run() -> int:
    services = ensure_services()
    env = _environment(services)
    children: list[subprocess.Popen[bytes]] = []
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        _manage(env, "migrate", "--noinput")
        _manage(env, "seed_demo")
        port = os.environ.get("PORT", "8000")
        beat_schedule = str(DATA_DIR / "celerybeat-schedule")
        commands = {
            "web": [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}"],
            "worker": [str(BIN / "celery"), "-A", "controlplane", "worker", "-l", "info",
                       "-c", "2", "-Q", "celery,provisioning,maintenance,notifications"],
            "beat": [str(BIN / "celery"), "-A", "controlplane", "beat", "-l", "info",
                     "-s", beat_schedule],
            "inbound-smtp": [PYTHON, "manage.py", "inbound_smtp"],
        }  # fmt: skip
        for name, command in commands.items():
            print(f"[dev] starting {name}: {' '.join(command[1:])}", flush=True)
            children.append(subprocess.Popen(command, cwd=ROOT, env=env))
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.3)
        return 0 if stopping else 1
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    finally:
        print("[dev] stopping", flush=True)
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 8
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
        services.stop()


def main(argv: list[str]) -> int:
    if argv[:1] == ["run"]:
        return command_run()
    if argv[:1] == ["exec"]:
        rest = argv[1:]
        if rest[:1] == ["--"]:
            rest = rest[1:]
        if not rest:
            raise SystemExit("usage: python -m infra.dev exec -- COMMAND...")
        return command_exec(rest)
    raise SystemExit(__doc__)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
