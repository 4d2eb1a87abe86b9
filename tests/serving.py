"""Starting a real Streamlit server on a free loopback port (browser tests and benchmarks)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
#: The dashboard exactly as `make run` (and any Streamlit host) starts it.
APP = ["streamlit", "run", "app.py"]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StreamlitProcess:
    """``python -m <module_args>`` as a Streamlit server on a free loopback port.

    Starting returns at once (:meth:`wait_healthy` waits for the server to answer), so a test
    can start the next server while it uses the current one. The server runs no script until a
    browser visits it: a visit after :meth:`wait_healthy` is still the process's first run.
    """

    def __init__(
        self, module_args: list[str], env: dict[str, str], log: IO[str] | None = None
    ) -> None:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                *module_args,
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=env,
            stdout=log if log is not None else subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

    def wait_healthy(self, timeout: float = 90) -> str:
        """Wait until the server answers its health check; return its URL."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited early with status {self.proc.returncode}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as resp:
                    if resp.status == 200:
                        return self.url
            except OSError:
                time.sleep(0.2)  # polling interval while the server starts, not a wait
        raise TimeoutError(f"streamlit did not answer at {self.url} within {timeout} s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def streamlit_server(
    module_args: list[str], env: dict[str, str], log: IO[str] | None = None
) -> Iterator[str]:
    """Run ``python -m <module_args>`` as a Streamlit server; yield its URL; stop it after.

    ``module_args`` is e.g. ``APP`` (the dashboard, as `make run` and any Streamlit host
    start it) or ``["streamlit", "run", "script.py"]``.
    """
    server = StreamlitProcess(module_args, env, log)
    try:
        yield server.wait_healthy()
    finally:
        server.stop()


@contextmanager
def trap_server() -> Iterator[tuple[int, list[str]]]:
    """An HTTP server on a free 127.0.0.1 port that records the path of every request it gets.

    It stands in for an attacker's host: a page that fetched what stored text points at would
    show up in the list.
    """
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def outside_requests(requests: list[str], url: str) -> list[str]:
    """The requested URLs that go anywhere but the dashboard at ``url`` (data: and blob: are
    the page's own)."""
    own = urlparse(url).netloc
    return [
        r for r in requests if not r.startswith(("data:", "blob:")) and urlparse(r).netloc != own
    ]
