"""``make observe``: Prometheus in the foreground, scraping every process of ``make run``.

    python scripts/observe.py

- The configuration is generated (scripts/prometheus_config.py, from the same variables as
  ``make run``: ``GATEWAY_ADMIN_PORT``, ``ACCOUNTS_PORT``, ``PROJECTS_PORT``, ``REPLICAS``) into
  ``OBSERVE_DIR`` (default ``.observe``, git-ignored), checked with ``promtool check config``
  (the alerting rules too), and Prometheus keeps its data there (``OBSERVE_DIR/data``).
- The UI listens on 127.0.0.1:``PROMETHEUS_PORT`` (9090); ``SCRAPE_INTERVAL`` (5s) is also the
  rules' evaluation interval.
- Ctrl-C stops Prometheus and exits 0, as ``make run`` does (same terminal handling).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

sys.path.insert(0, str(Path(__file__).resolve().parent))
import prometheus_config
import run

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    prometheus, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if prometheus is None or promtool is None:
        print("prometheus/promtool missing: make observe-tools installs them", file=sys.stderr)
        return 1
    folder = (REPO / os.environ.get("OBSERVE_DIR", ".observe")).resolve()
    port = int(os.environ.get("PROMETHEUS_PORT") or 9090)
    if run.taken({"prometheus": port}):
        print(
            f"port {port} is taken (another Prometheus, or the prometheus package's own service?):"
            " stop it, or choose another, e.g. PROMETHEUS_PORT=9091 make observe",
            file=sys.stderr,
        )
        return 1
    config = folder / "prometheus.yml"
    interval = os.environ.get("SCRAPE_INTERVAL") or "5s"
    prometheus_config.main([str(config), "--scrape-interval", interval])
    checked = subprocess.run(  # noqa: S603 - Debian's promtool
        [promtool, "check", "config", str(config)], capture_output=True, text=True, check=False
    )
    if checked.returncode != 0:
        print(checked.stdout + checked.stderr, file=sys.stderr)
        return 1
    ui = f"http://localhost:{port}"
    # Debian's build serves the classic UI (the root redirects to /classic/graph).
    print(
        f"Prometheus UI: {ui} (targets {ui}/classic/targets, alerts {ui}/classic/alerts); "
        "run make run in another terminal; Ctrl-C stops Prometheus",
        flush=True,
    )
    stop_requested = False
    with run.own_foreground_group():
        server = subprocess.Popen(  # noqa: S603 - Debian's prometheus
            [
                prometheus,
                f"--config.file={config}",
                f"--storage.tsdb.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                f"--web.external-url=http://localhost:{port}/",
            ]
        )

        def stop(signum: int, _frame: FrameType | None) -> None:
            nonlocal stop_requested
            stop_requested = True
            if signum != signal.SIGINT:  # from the terminal, Prometheus got the SIGINT too
                with contextlib.suppress(ProcessLookupError):
                    server.send_signal(signal.SIGTERM)

        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, stop)
        returncode = server.wait()
    if stop_requested and returncode in run.STOPPED_BY_SIGNAL:
        print("stopped", flush=True)
        return 0
    return returncode


if __name__ == "__main__":
    sys.exit(main())
