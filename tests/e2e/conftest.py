"""End-to-end helpers: run the real `sectrack` program and a real server process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tracker.controls import seed as controls_seed

SECTRACK = [sys.executable, "-m", "tracker"]
# `sectrack init` loads the control catalog: one audited control record each.
CATALOG = len(controls_seed.read()["controls"])


@dataclass
class Cli:
    """Runs `python -m tracker` (the same program as `sectrack`) against one database."""

    env: dict[str, str]
    cwd: Path

    def __call__(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*SECTRACK, *args], env=self.env, cwd=self.cwd, capture_output=True, text=True, timeout=timeout
        )
        if check and result.returncode != 0:
            raise AssertionError(f"sectrack {' '.join(args)} failed ({result.returncode}):\n{result.stderr}")
        return result


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """The CLI on a fresh SQLite file in a temporary directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SECTRACK_")}
    env["SECTRACK_DATABASE_URL"] = f"sqlite:///{tmp_path / 'e2e.db'}"
    env["PYTHONWARNINGS"] = "ignore"
    return Cli(env=env, cwd=tmp_path)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A running `sectrack serve` process."""

    base_url: str
    process: subprocess.Popen[str]


@pytest.fixture
def server(cli: Cli) -> Iterator[Server]:
    """`sectrack serve` on a free port over an initialised database; stopped after the test."""
    cli("init")
    port = _free_port()
    log_path = cli.cwd / "server.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [*SECTRACK, "serve", "--port", str(port)],
        env=cli.env,
        cwd=cli.cwd,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.1)
    else:
        process.kill()
        process.wait()
        log.close()
        raise AssertionError(f"server did not start: {log_path.read_text()}")
    try:
        yield Server(base_url=base, process=process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
