"""Shared fixtures (one build of the web book per test session, the browser, the container engines)
and the tiers: each test is marked by what it needs (see pyproject.toml's markers)."""

import fcntl
import os
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import yaml

from helpers import ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
HTML = ROOT / "_build" / "html"


# A test's tier follows from the fixtures it needs (directly or through another fixture), so a new
# test is marked without anyone remembering to: `make test-fast` leaves these out.
NEEDS = {"book": {"built_book"}, "browser": {"browser"}, "containers": {"podman", "docker", "container_engine"}}


# `make test` runs the suite on several cores (pytest-xdist, `--dist loadgroup`, `--no-loadscope-reorder`):
# each group runs whole on one worker, and groups are handed out in the order of the collection. A test
# file is a group (its module fixtures are set up once); nbval's chapters, the tests that read the check
# calls they record (alliances/publish/nbval_records.py) and the book build form the first group, BUILD,
# so the build finds every chapter's records; the container tests are one group (one engine set-up
# each). The other files that read the built book come last, when the build is done: the build is
# shared between workers (built_book, under a lock). tests/publish/test_check_records.py checks this.
BUILD = "build"
SHARES_BUILD = {"tests/book/test_chapter_mistakes.py",  # reads the records nbval writes under _build
                "tests/book/test_book.py"}  # the book build's own tests: it runs right after the chapters


def _groups(items):
    """(the xdist group of each item: BUILD, "containers" or its file; the files that read the built book)."""
    files = {}
    for item in items:
        files.setdefault(item.nodeid.split("::")[0], []).append(item)
    groups, readers = {}, set()
    for file, members in files.items():
        names = set().union(*(getattr(i, "fixturenames", ()) for i in members))
        if file.startswith("book/") or file in SHARES_BUILD:
            group = BUILD
        elif any(i.get_closest_marker("containers") for i in members):
            group = "containers"
        else:
            group = file
            if "built_book" in names:
                readers.add(file)
        groups.update((id(i), group) for i in members)
    return groups, readers


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items):
    _mark_tiers(items)
    groups, readers = _groups(items)
    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[id(item)]))
    # BUILD first, the readers of the built book last (a stable sort keeps each file's own order)
    items.sort(key=lambda item: 0 if groups[id(item)] == BUILD else 2 if item.nodeid.split("::")[0] in readers else 1)


def _mark_tiers(items):
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        # a test parametrized by engine asks for the engine's fixture by name, inside the test
        engines = {v for v in getattr(getattr(item, "callspec", None), "params", {}).values()
                   if isinstance(v, str)} & {"podman", "docker"}
        for marker, names in NEEDS.items():
            if fixtures & names or (marker == "containers" and engines):
                item.add_marker(marker)
        if item.path.suffix == ".ipynb":  # nbval: a chapter executed cell by cell
            item.add_marker("notebooks")
            item.add_marker("book")


# this test run, the same on every xdist worker (a build stamped with it is this run's)
RUN = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex


@pytest.fixture(scope="session")
def built_book():
    """Build once per test session with `make book`'s command and warnings as errors.

    The build uses the notebooks' stored outputs instead of executing them again: nbval (in the
    same test run) executes every notebook from a fresh kernel and checks its key outputs, so a
    second execution here would only double the time. `make book` itself executes (with a cache).
    On several workers the first to ask builds, under a lock, and the others wait and reuse its build.
    """
    (ROOT / "_build").mkdir(exist_ok=True)
    stamp = ROOT / "_build" / "test-build-run.txt"
    with open(ROOT / "_build" / "test-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (stamp.is_file() and stamp.read_text() == RUN):
            stamp.unlink(missing_ok=True)
            _build_book()
            stamp.write_text(RUN)
    return HTML


def _build_book():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    config["execute"]["execute_notebooks"] = "off"
    test_config = ROOT / "_build" / "test-config.yml"
    test_config.parent.mkdir(exist_ok=True)
    test_config.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    jb = Path(sys.executable).with_name("jupyter-book")
    proc = subprocess.run([str(jb), "build", str(ROOT), "--config", str(test_config), "-W", "-n", "--keep-going"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, f"book build failed:\n{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}"


@pytest.fixture(scope="module")
def browser():
    """Headless Debian Chromium (Playwright), for the module's tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


# ---------------------------------------------------------------- container sandboxes (alliances.grading)

def _fail_missing(program, package):
    pytest.fail(f"{program} is missing: the container-sandbox tests need it. Run `bash tools/provision.sh` "
                f"(as root), or: apt-get install -y {package}")


@pytest.fixture(scope="session")
def podman():
    """Podman with its own storage and configuration in a temporary folder, for this session only.

    The OCI runtime is runc: Debian's default, crun, refuses hosts whose cgroups are mixed v1/v2
    ("hybrid"), as in the container CI runs in; an instructor's podman uses its own configuration.
    """
    import os
    import shutil
    if shutil.which("podman") is None or shutil.which("runc") is None:
        _fail_missing("podman or runc", "podman runc")
    # a short path, not tmp_path_factory's: under pytest-xdist's longer temporary folders (popen-gwN/) every
    # container took 20 s more to start and stop (podman's socket paths in its run folder grow too long)
    root = Path(tempfile.mkdtemp(prefix="alliances-podman-", dir="/tmp"))
    (root / "storage.conf").write_text(f'[storage]\ndriver = "overlay"\ngraphroot = "{root}/graph"\n'
                                       f'runroot = "{root}/run"\n')
    (root / "containers.conf").write_text('[engine]\nruntime = "runc"\n')
    saved = {k: os.environ.get(k) for k in ("CONTAINERS_STORAGE_CONF", "CONTAINERS_CONF")}
    os.environ.update(CONTAINERS_STORAGE_CONF=str(root / "storage.conf"), CONTAINERS_CONF=str(root / "containers.conf"))
    yield "podman"
    subprocess.run(["podman", "system", "reset", "--force"], capture_output=True, timeout=120)
    for key, value in saved.items():
        os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def docker(tmp_path_factory):
    """A Docker daemon: the one the docker client reaches, or else a private one started for this
    session (root only; its socket, data and state in a temporary folder, no iptables, no bridge)."""
    import os
    import shutil
    import time
    if shutil.which("docker") is None:
        _fail_missing("docker", "docker.io")
    if subprocess.run(["docker", "info"], capture_output=True, timeout=60).returncode == 0:
        yield "docker"
        return
    if shutil.which("dockerd") is None:
        _fail_missing("dockerd", "docker.io")
    if os.geteuid() != 0:
        pytest.fail("No Docker daemon answers, and only root can start one for the tests: start Docker "
                    "(e.g. `sudo systemctl start docker`) or run the tests as root.")
    root = Path("/tmp") / f"alliances-dockerd-{os.getpid()}"  # short: a socket path has at most 107 bytes
    root.mkdir()
    socket = f"unix://{root}/docker.sock"
    log = open(root / "dockerd.log", "wb")
    daemon = subprocess.Popen(["dockerd", "--host", socket, "--data-root", str(root / "data"),
                               "--exec-root", str(root / "exec"), "--pidfile", str(root / "docker.pid"),
                               "--iptables=false", "--ip6tables=false", "--bridge=none", "--storage-driver=vfs"],
                              stdout=log, stderr=subprocess.STDOUT)
    saved = os.environ.get("DOCKER_HOST")
    os.environ["DOCKER_HOST"] = socket
    try:
        for _ in range(120):  # up to a minute, unless the daemon stops
            if subprocess.run(["docker", "info"], capture_output=True, timeout=60).returncode == 0:
                break
            if daemon.poll() is not None:
                pytest.fail("dockerd did not start:\n" + (root / "dockerd.log").read_text()[-3000:])
            time.sleep(0.5)
        else:
            pytest.fail("dockerd did not answer within a minute:\n" + (root / "dockerd.log").read_text()[-3000:])
        yield "docker"
    finally:
        daemon.terminate()
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
        log.close()
        if saved is None:
            os.environ.pop("DOCKER_HOST", None)
        else:
            os.environ["DOCKER_HOST"] = saved
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session", params=["podman", "docker"])
def container_engine(request):
    """Each container engine in turn (the same tests for both)."""
    return request.getfixturevalue(request.param)
