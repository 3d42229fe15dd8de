"""nginx in front of projects-service, as the yardstick for the gateway: its own temporary
configuration (keep-alive upstream pool), a free port on 127.0.0.1, pid and logs in a temporary
directory, stopped afterwards."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit

from bench.proc import family
from taskboard_testing import free_port

CONFIG = """\
daemon off;
master_process on;
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {dir}/client_body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    keepalive_requests 1000000;
    upstream service {{
        server {upstream};
        keepalive 64;
        keepalive_requests 1000000;
    }}
    server {{
        listen 127.0.0.1:{port};
        location = /static {{
            default_type application/json;
            return 200 '{{"status":"ok"}}';
        }}
        location / {{
            proxy_pass http://service;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $remote_addr;
        }}
    }}
}}
"""


def installed() -> bool:
    return shutil.which("nginx") is not None


class Nginx:
    """``with Nginx("http://127.0.0.1:8002") as proxy: proxy.url``."""

    def __init__(self, upstream_url: str) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = f"{parts.hostname}:{parts.port}"
        self.port = free_port()
        self._dir = tempfile.TemporaryDirectory(prefix="bench-nginx-")
        self._process: subprocess.Popen[bytes] | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pids(self) -> list[int]:
        return family(self._process.pid) if self._process else []

    def __enter__(self) -> Nginx:
        directory = Path(self._dir.name)
        directory.chmod(0o755)  # nginx's worker may run as another user
        config = directory / "nginx.conf"
        config.write_text(CONFIG.format(dir=directory, upstream=self.upstream, port=self.port))
        executable = shutil.which("nginx") or "nginx"
        argv = [executable, "-p", str(directory), "-c", str(config), "-e", "error.log"]
        self._stderr = (directory / "stderr.log").open("wb")
        self._process = subprocess.Popen(  # noqa: S603 - nginx with our own configuration
            argv, stdout=subprocess.DEVNULL, stderr=self._stderr
        )
        self._wait_until_listening(directory)
        return self

    def _wait_until_listening(self, directory: Path, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                errors = (directory / "stderr.log").read_text(errors="replace")
                raise RuntimeError(f"nginx exited at start-up: {errors}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError(f"nginx did not listen on port {self.port} within {timeout}s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._process is not None:
            if self._process.poll() is None:
                self._process.send_signal(signal.SIGQUIT)  # graceful: workers finish, then exit
                try:
                    self._process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait()
            self._process = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None
        self._dir.cleanup()
