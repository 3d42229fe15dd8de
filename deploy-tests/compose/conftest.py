"""`make test-compose`: docker-compose.yml for real, on this machine's Docker engine.

One session fixture, `stack`, does what a user's `make up` does, without a registry or network:

1. a Docker engine: the one that answers, else `dockerd` started here (as root) and stopped after;
2. the stand-in base images (docker/standins/build.sh, reused while their recipe is unchanged)
   and the wheelhouse (docker/wheelhouse.sh, reused while the locks are unchanged), side by side;
3. the three images, each built with `docker build --network none` from its Dockerfile, as soon
   as the Python stand-in and the wheelhouse are there;
4. docker-compose.yml started under a project name of its own, with those images, only the
   gateway published (127.0.0.1, a free port) and a throw-away signing key, until every
   container is healthy and the one-shots have exited 0.

Afterwards, whatever happened: the stack's logs when a test failed, then `down -v` (containers,
network, volumes), the images it built, the wheels it put in docker/wheelhouse/, the engine it
started. Runs on one machine take turns (a lock file in the cache). Where no Docker engine can
run, the tests are skipped with the reason, and fail under CI=true.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from taskboard_testing import free_port

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CACHE = Path(
    os.environ.get("TASKBOARD_CACHE_DIR")
    or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "taskboard"
)
# our images: repository folder = compose service = image name
IMAGES = ("accounts-service", "projects-service", "gateway")
STANDINS = ("python", "postgres", "rabbitmq")
LONG_RUNNING = ("postgres", "rabbitmq", "accounts-service", "projects-service", "gateway")
ONE_SHOTS = ("accounts-migrate", "projects-migrate")
# the stack's /24 network (docker-compose.yml's TASKBOARD_NETWORK); the gateway is its .10
TEST_NETWORK = "172.16.88"
STARTED = time.monotonic()
CONFIG: list[pytest.Config] = []


def pytest_configure(config: pytest.Config) -> None:
    CONFIG.append(config)


def say(message: str) -> None:
    """Progress on the terminal, past pytest's capture (a cold run takes minutes)."""
    line = f"[compose {time.monotonic() - STARTED:6.1f}s] {message}"
    capture = CONFIG[0].pluginmanager.getplugin("capturemanager") if CONFIG else None
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(line, file=sys.stderr, flush=True)


def unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the compose test must run)", pytrace=False)
    pytest.skip(f"compose test skipped: {reason}")


def run(
    *args: str, timeout: float = 600, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 - our own commands
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"{' '.join(args)} exited {result.returncode}\n"
            f"{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
        )
    return result


def docker_answers() -> bool:
    try:
        return run("docker", "info", timeout=20, check=False).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@contextlib.contextmanager
def docker_engine() -> Iterator[None]:
    """The engine that answers, or one started here (and stopped again) when none does."""
    if shutil.which("docker") is None:
        unavailable("the docker CLI is not installed (apt-get install -y docker.io)")
    if docker_answers():
        yield
        return
    dockerd = shutil.which("dockerd")
    if dockerd is None or os.geteuid() != 0:
        unavailable(
            "no Docker engine answers and none can be started here "
            + (
                "(dockerd is not installed: apt-get install -y docker.io)"
                if dockerd is None
                else "(starting dockerd needs root)"
            )
        )
    CACHE.mkdir(parents=True, exist_ok=True)
    log_path = CACHE / "dockerd.log"
    say("no Docker engine answers: starting dockerd")
    with log_path.open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - the dockerd found on PATH
            [dockerd], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while not docker_answers():
            if process.poll() is not None or time.monotonic() > deadline:
                unavailable(f"dockerd did not start: {log_path.read_text()[-1500:]}")
            time.sleep(1)
        yield
    finally:
        say("stopping the dockerd started for this test")
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


def compose_command() -> list[str]:
    if run("docker", "compose", "version", timeout=30, check=False).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    unavailable("no Docker Compose (apt-get install -y docker-compose, or the compose plugin)")
    raise AssertionError  # unreachable


@contextlib.contextmanager
def turn() -> Iterator[None]:
    """One compose test at a time on this machine (they share the engine and the caches)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    with (CACHE / "compose-test.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@dataclass
class Stack:
    compose: list[str]
    project: str
    env: dict[str, str]
    gateway: str  # http://127.0.0.1:PORT
    port: int
    standins: dict[str, str]
    built: list[str] = field(default_factory=list)
    images_before: set[str] = field(default_factory=set)

    def compose_run(self, *args: str, timeout: float = 600, check: bool = True) -> str:
        command = [*self.compose, "-p", self.project, *args]
        return run(*command, timeout=timeout, env=self.env, check=check).stdout

    def container(self, service: str) -> str:
        ids = self.compose_run("ps", "-a", "-q", service).split()
        assert len(ids) == 1, f"{service}: containers {ids}"
        return ids[0]

    def inspect(self, service: str) -> dict[str, Any]:
        found = json.loads(run("docker", "inspect", self.container(service)).stdout)
        assert isinstance(found, list)
        return dict(found[0])

    def exec(self, service: str, *command: str) -> str:
        return run("docker", "exec", self.container(service), *command, timeout=120).stdout


def image_ids(*options: str) -> set[str]:
    return set(run("docker", "images", "-q", "--no-trunc", *options).stdout.split())


def build_images(stack: Stack, tag: str) -> None:
    """The three stand-ins and the wheelhouse side by side (each a no-op while its inputs are
    unchanged); our three images as soon as the Python stand-in and the wheelhouse are there,
    while the PostgreSQL and RabbitMQ stand-ins may still be building."""
    if shutil.which("mmdebstrap") is None:
        unavailable("mmdebstrap is not installed (apt-get install -y mmdebstrap)")
    say("stand-in base images and wheelhouse (reused when their inputs are unchanged)...")
    stack.images_before = image_ids("-a")
    stack.built = [f"taskboard/{service}:{tag}" for service in IMAGES]
    with ThreadPoolExecutor(len(STANDINS) + 1 + len(IMAGES)) as pool:
        standins = {
            name: pool.submit(run, "docker/standins/build.sh", name, timeout=900)
            for name in STANDINS
        }
        wheelhouse = pool.submit(run, "docker/wheelhouse.sh", timeout=900)
        python = standins["python"].result().stdout.strip()
        wheelhouse.result()
        say(f"building the three images without network on {python}...")
        builds = [
            pool.submit(build_image, service, python, image)
            for service, image in zip(IMAGES, stack.built, strict=True)
        ]
        for build in builds:
            build.result()
        say("images built")
        stack.standins = {name: job.result().stdout.strip() for name, job in standins.items()}


def build_image(service: str, python_image: str, image: str) -> None:
    """--network none: the wheelhouse is the only source of packages."""
    run(
        *("docker", "build", "--network", "none", "--build-arg", f"PYTHON_IMAGE={python_image}"),
        *("-f", f"{service}/Dockerfile", "-t", image, "."),
        timeout=900,
    )


def wait_until_healthy(stack: Stack, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        states = {}
        for service in LONG_RUNNING:
            state = stack.inspect(service)["State"]
            states[service] = state.get("Health", {}).get("Status", state["Status"])
        for service in ONE_SHOTS:
            state = stack.inspect(service)["State"]
            if state["Status"] == "exited" and state["ExitCode"] != 0:
                raise AssertionError(f"{service} exited {state['ExitCode']}")
        if all(status == "healthy" for status in states.values()):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not healthy after {seconds:.0f} s: {states}")
        time.sleep(2)


@pytest.fixture(scope="session")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    with docker_engine(), turn():
        compose = compose_command()
        run_id = uuid.uuid4().hex[:8]
        had_wheels = any((REPO / "docker" / "wheelhouse").glob("*.whl"))
        keys = Path(tempfile.mkdtemp(prefix="taskboard-compose-key-"))
        port = free_port()
        failed = True
        stack = Stack(
            compose=compose,
            project=f"taskboard-test-{run_id}",
            env={},
            gateway=f"http://127.0.0.1:{port}",
            port=port,
            standins={},
        )
        try:
            tag = f"compose-test-{run_id}"
            build_images(stack, tag)

            key = keys / "jwt-private.pem"
            run(str(Path(sys.executable).parent / "accounts-dev-key"), str(key))
            key.chmod(0o644)  # the image's unprivileged user reads the bind-mounted secret
            stack.env = {
                **os.environ,
                "COMPOSE_PROJECT_NAME": stack.project,
                "TASKBOARD_TAG": tag,
                "TASKBOARD_PYTHON_IMAGE": stack.standins["python"],
                "TASKBOARD_POSTGRES_IMAGE": stack.standins["postgres"],
                "TASKBOARD_RABBITMQ_IMAGE": stack.standins["rabbitmq"],
                "TASKBOARD_GATEWAY_ADDRESS": "127.0.0.1",
                "TASKBOARD_GATEWAY_PORT": str(port),
                "TASKBOARD_JWT_KEY_FILE": str(key),
                # not the default 172.16.87, so a developer's `make up` stack can run beside it
                "TASKBOARD_NETWORK": TEST_NETWORK,
            }
            say(f"{' '.join(compose)} up (project {stack.project}, gateway {stack.gateway})...")
            stack.compose_run("up", "-d", "--no-build", timeout=600)
            wait_until_healthy(stack, 300)
            say("every container is healthy")
            yield stack
        except BaseException:
            failed = True
            raise
        else:
            failed = bool(request.session.testsfailed)
        finally:
            teardown(stack, failed=failed, had_wheels=had_wheels)
            shutil.rmtree(keys, ignore_errors=True)


def teardown(stack: Stack, *, failed: bool, had_wheels: bool) -> None:
    if stack.env:
        if failed:
            ps = stack.compose_run("ps", "-a", check=False)
            logs = stack.compose_run("logs", "--no-color", "--tail", "60", check=False)
            say(f"the stack after a failure:\n{ps}\n{logs}")
        say("removing the stack (containers, network, volumes) and the images built")
        stack.compose_run("down", "-v", "--remove-orphans", "-t", "10", timeout=300, check=False)
    if stack.built:  # those that exist (a failed or interrupted build leaves fewer)
        run("docker", "rmi", "-f", *stack.built, timeout=300, check=False)
    # The builder stages' results are untagged (and so may be a stage another build's cache
    # lookup did not pick): remove whatever dangles now and did not before this run.
    for _ in range(5):
        left = image_ids("--filter", "dangling=true") - stack.images_before
        if not left:
            break
        run("docker", "rmi", *sorted(left), timeout=300, check=False)
    if not had_wheels:
        run("docker/wheelhouse.sh", "clean", check=False)
