"""alliances.sandbox: the typed JSON encoding of answers, the bubblewrap and container sandboxes, the choice
between them and the refusal without one."""

import datetime
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from alliances import data
from alliances.grading import client, limits, protocol, release, run, sandboxes
from alliances.grading.batch import grade
from alliances.grading.sandboxes import containers
from alliances.__main__ import main
from helpers import FIXTURES, slowly_torn_down

matplotlib.use("Agg")


def roundtrip(value, call=None):
    functions = {}
    data = json.loads(json.dumps(protocol.encode(value, functions)))
    return protocol.decode(data, call), functions


@pytest.mark.parametrize("value", [
    3, -2 ** 70, 2.5, True, None, "text", [1, "a", None], (1, 2), {1, 2}, frozenset({"x"}), {"a": [1, 2], 3: None},
    b"\x00raw", ..., datetime.date(2024, 4, 4), datetime.datetime(2024, 4, 4, 12, 30), np.int64(7), np.float32(1.5), np.bool_(True), np.array([[1, 2], [3, 4]]),
])
def test_plain_values_survive(value):
    got, _ = roundtrip(value)
    assert type(got) is type(value)
    assert (got == value).all() if isinstance(value, np.ndarray) else got == value


def test_nan_and_infinity_survive():
    got, _ = roundtrip([float("nan"), float("inf"), -float("inf")])
    assert math.isnan(got[0]) and got[1:] == [float("inf"), -float("inf")]


def test_real_data_survives():
    from alliances import data
    members = data.membership()
    pd.testing.assert_frame_equal(roundtrip(members)[0], members)
    spending = data.spending()
    pd.testing.assert_frame_equal(roundtrip(spending)[0], spending)


def test_pandas_values_survive():
    frame = pd.DataFrame({"nato": [1.5, np.nan], "csto": [3, 4], "when": pd.to_datetime(["2020-01-01", "2021-05-02"])},
                         index=pd.Index([1990, 1991], name="year"))
    got, _ = roundtrip(frame)
    pd.testing.assert_frame_equal(got, frame)
    gaps = pd.DataFrame({"left": pd.to_datetime(["2020-01-01", None]), "note": pd.array(["x", None], dtype="string"),
                         "ok": pd.array([True, None], dtype="boolean")})
    pd.testing.assert_frame_equal(roundtrip(gaps)[0], gaps)
    series = pd.Series([1, 2], index=pd.Index(["a", "b"], name="iso3"), name="n")
    pd.testing.assert_series_equal(roundtrip(series)[0], series)
    multi = pd.Series([1.0, 2.0], index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "y"]))
    pd.testing.assert_series_equal(roundtrip(multi)[0], multi)
    assert roundtrip(pd.Timestamp("2024-04-04"))[0] == pd.Timestamp("2024-04-04")


def test_functions_become_proxies_that_call_back():
    calls = []

    def call(ref, args, kwargs):
        calls.append((ref, args, kwargs))
        return 42
    got, functions = roundtrip({"f": lambda year: year}, call)
    assert got["f"](1990, scale=2) == 42 and calls == [("0", (1990,), {"scale": 2})]
    assert functions["0"](5) == 5


def test_other_objects_are_unsupported_not_executed():
    class Sneaky:
        def __eq__(self, other):
            return True
    got, _ = roundtrip(Sneaky())
    assert isinstance(got, protocol.Unsupported) and got != 1 and "Sneaky" in repr(got)


def test_subclasses_leave_as_plain_values():
    class Liar(int):
        def __eq__(self, other):
            return True
    got, _ = roundtrip([Liar(5)])
    assert type(got[0]) is int and got[0] == 5 and got[0] != 6


def test_axes_are_described_and_redrawn():
    from matplotlib import pyplot as plt
    fig, ax = plt.subplots()
    ax.plot([1, 2, 3], [4, 5, 6], label="nato")
    ax.bar([1], [2])
    ax.set_title("Title", loc="left")
    ax.set_xlabel("Year")
    ax.set_ylabel("USD")
    got, _ = roundtrip(ax)
    plt.close(fig)
    assert got.get_title(loc="left") == "Title" and (got.get_xlabel(), got.get_ylabel()) == ("Year", "USD")
    assert [list(line.get_xdata()) for line in got.get_lines()] == [[1, 2, 3]] and len(got.patches) == 1
    plt.close(got.figure)


def run_code(command, code, timeout=120):
    """Run ``code`` with a sandbox command (argv, env, preexec_fn, stop) in place of the worker;
    the container, if any, is removed afterwards."""
    argv, env, limit, stop = command
    last = len(argv) - 1 - argv[::-1].index("-c")  # the worker's (a container's first process has one before)
    try:
        done = subprocess.run(argv[:last] + ["-c", code], env=env, preexec_fn=limit,
                              capture_output=True, text=True, timeout=timeout)
        done.stdout = containers.without_exited(done.stdout)
        return done
    finally:
        if stop:
            stop()


def ready(engine, request):
    """``engine`` working (a container engine from its fixture), its empty image made."""
    if engine != "bubblewrap":
        request.getfixturevalue(engine)
    assert sandboxes.find_sandbox(engine)[0] == engine


def test_bubblewrap_hides_the_host_and_blocks_the_network(tmp_path):
    assert sandboxes.sandbox_available() is None
    secret = tmp_path / "secret.txt"
    secret.write_text("key")
    command = (*sandboxes.bwrap_command([tmp_path], 30), None)
    code = ("import os, socket\nfrom pathlib import Path\n"
            f"print(Path({str(secret)!r}).exists(), os.getuid() == 0 and Path('/root/.bash_history').exists())\n"
            "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=3); print('net')\n"
            "except OSError:\n    print('no net')\n"
            "print(sorted(p for p in os.listdir('/proc') if p.isdigit()))")
    done = run_code(command, code, timeout=60)
    lines = done.stdout.splitlines()
    assert lines[:2] == ["False False", "no net"], done.stderr
    assert len(eval(lines[2])) <= 3  # only the sandbox's own processes are visible


def test_grading_refuses_without_a_sandbox(tmp_path, monkeypatch, capsys):
    none = "bubblewrap (bwrap) is not installed; podman (podman) is not installed; docker (docker) is not installed"
    monkeypatch.setattr(run, "_SANDBOXES", {("auto", None): (None, none)})
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "ps.ipynb").write_text("{}")
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / "ps.ipynb").write_text("{}")
    with pytest.raises(run.SandboxMissing, match="--trusted"):
        grade(tmp_path / "subs", tmp_path / "src", tmp_path / "out")
    assert main(["grade", str(tmp_path / "subs"), "--source", str(tmp_path / "src"),
                 "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert f"No sandbox works here: {none}." in err and "Podman or Docker" in err
    assert not (tmp_path / "out" / "grades.csv").exists()


def _without(monkeypatch, *programs):
    """As if ``programs`` were not installed."""
    which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name in programs else which(name, *a, **k))


def test_auto_takes_the_first_sandbox_that_works(monkeypatch, podman, docker):
    assert sandboxes.find_sandbox("auto") == ("bubblewrap", "")
    _without(monkeypatch, "bwrap")
    assert sandboxes.find_sandbox("auto") == ("podman", "bubblewrap (bwrap) is not installed")
    _without(monkeypatch, "bwrap", "podman")
    assert sandboxes.find_sandbox("auto") == ("docker", "bubblewrap (bwrap) is not installed; "
                                                      "podman (podman) is not installed")
    _without(monkeypatch, "bwrap", "podman", "docker")
    assert sandboxes.find_sandbox("auto")[0] is None
    assert sandboxes.find_sandbox("docker") == (None, "docker (docker) is not installed")
    assert sandboxes.find_sandbox("nspawn")[0] is None


def test_an_engine_that_does_not_run_is_reported_with_its_own_error(monkeypatch, tmp_path):
    """A docker client without a daemon (as on many machines) is not a sandbox."""
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-daemon.sock")
    found, why = sandboxes.find_sandbox("docker")
    assert found is None and why.startswith("docker does not run here:") and "no-daemon.sock" in why


def test_an_image_without_this_package_is_refused(container_engine):
    found, why = sandboxes.find_sandbox(container_engine, image=containers.ROOT_IMAGE)  # empty: no Python at all
    assert found is None and why.startswith(f"{container_engine} does not run here:")
    assert sandboxes.find_sandbox("bubblewrap", image="any")[0] is None


def test_container_hides_the_host_and_blocks_the_network(container_engine, tmp_path):
    assert sandboxes.find_sandbox(container_engine)[0] == container_engine
    secret, hidden = tmp_path / "secret.txt", data.data_dir()  # mounted for the sandbox, unless hidden
    secret.write_text("key")
    command = sandboxes.container_command(container_engine, [tmp_path, hidden], 30)
    argv, limit = command[0], command[2]
    assert limit is None and "--network" in argv and argv[argv.index("--network") + 1] == "none"
    code = ("import os, socket\nfrom pathlib import Path\n"
            f"print(Path({str(secret)!r}).exists(), os.listdir({str(hidden)!r}), os.getuid())\n"
            "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=3); print('net')\n"
            "except OSError:\n    print('no net')\n"
            "for place in ('/usr/x', '/run/x', '/var/tmp/x', '/scratch/x'):\n"
            "    try:\n        Path(place).write_text('x'); print('wrote', place)\n"
            "    except OSError:\n        print('refused', place)\n"
            "print(sorted(p for p in os.listdir('/proc') if p.isdigit()))")
    done = run_code(command, code)
    lines = done.stdout.splitlines()
    # podman mounts writable tmpfs of no set size on /run and /var/tmp of a read-only container unless told not to
    assert lines[:6] == ["False [] 65534", "no net", "refused /usr/x", "refused /run/x", "refused /var/tmp/x",
                         "wrote /scratch/x"], done.stderr
    assert len(eval(lines[6])) <= 3  # only the sandbox's own processes are visible



@pytest.mark.parametrize("engine", ["bubblewrap", "podman", "docker"])
def test_no_new_namespaces_inside_a_sandbox(engine, request):
    """No sandbox lets student code make a user or network namespace (in one it would be "root"
    and reach e.g. netfilter): bubblewrap with --disable-userns, Podman with Docker's rule in its
    seccomp profile. Processes can still be started."""
    ready(engine, request)
    code = ("import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\n"
            "print(libc.unshare(0x10000000), libc.unshare(0x40000000), libc.unshare(0x00020000))\n"
            "pid = os.fork()\nif pid == 0:\n    os._exit(0)\nprint(os.waitpid(pid, 0)[1])")
    done = run_code(sandboxes.sandbox_command(engine, [], 30), code)
    assert done.stdout.split() == ["-1", "-1", "-1", "0"], done.stderr


def test_a_container_ends_by_itself_even_if_the_grader_is_killed(container_engine):
    """Student code that ignores every signal and sleeps: the container still ends after its time
    (the grader, killed, could not remove it), and a namespace's init cannot be killed from inside."""
    assert sandboxes.find_sandbox(container_engine)[0] == container_engine  # (and makes the empty image)
    code = ("import os, signal, time\nfor s in (signal.SIGALRM, signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
            "    signal.signal(s, signal.SIG_IGN)\nos.kill(1, signal.SIGKILL)\ntime.sleep(300)")
    started = time.monotonic()
    done = run_code(sandboxes.container_command(container_engine, [], 3), code)
    assert done.returncode == 137 and time.monotonic() - started < 60, (done.returncode, done.stderr)


@pytest.mark.parametrize("engine", ["bubblewrap", "podman", "docker"])
def test_only_small_scratch_places_take_writes(engine, request):
    """Nothing but /scratch, /tmp and /dev/shm is writable, each a tmpfs of a few MB: bubblewrap's
    own root and /dev are tmpfs of no set size, which student code could otherwise fill with
    gigabytes of the grading machine's memory."""
    ready(engine, request)
    code = ("import os\nfor place in ('/x', '/etc/x', '/usr/x', '/dev/x', '/scratch/x', '/tmp/x', '/dev/shm/x'):\n"
            "    try:\n        open(place, 'wb').write(b'x'); print('wrote', place)\n"
            "    except OSError:\n        print('refused', place)\n"
            "n = 0\ntry:\n    for i in range(8):\n        open(f'/dev/shm/big{i}', 'wb').write(b'x' * 30_000_000); n += 1\n"
            "except OSError:\n    pass\nprint(n)")
    done = run_code(sandboxes.sandbox_command(engine, [], 30), code)
    assert done.stdout.splitlines() == ["refused /x", "refused /etc/x", "refused /usr/x", "refused /dev/x",
                                        "wrote /scratch/x", "wrote /tmp/x", "wrote /dev/shm/x", "2"], done.stderr


def test_a_hidden_folder_inside_a_mounted_one_is_empty(container_engine, tmp_path, monkeypatch):
    """A folder to hide (submissions, sources, the output) inside one the container mounts (here the
    data) is covered by an empty tmpfs. Podman copies what lies beneath into a tmpfs by default
    (tmpcopyup): a small key could be read, and a folder larger than the tmpfs stopped every container."""
    assert sandboxes.find_sandbox(container_engine)[0] == container_engine  # makes the empty image
    folder, keys = tmp_path / "data", tmp_path / "data" / "keys"
    keys.mkdir(parents=True)
    (folder / "datapackage.json").write_bytes((data.data_dir() / "datapackage.json").read_bytes())
    (keys / "key.txt").write_text("n_founders = 3")
    (keys / "big.txt").write_text("x" * 100_000)
    monkeypatch.setenv(data.ENV_VAR, str(folder))
    done = run_code(sandboxes.container_command(container_engine, [keys], 30),
                    f"import os; print(sorted(os.listdir({str(folder)!r})), os.listdir({str(keys)!r}))")
    assert done.stdout.splitlines() == ["['datapackage.json', 'keys'] []"], done.stderr

def test_a_stopped_container_is_removed(container_engine):
    """Closing a worker removes its container even while student code loops (killing the client
    alone would leave it running); containers of a grader that died are removed at the next start."""
    def names():
        out = subprocess.run([container_engine, "ps", "--all", "--format", "{{.Names}}"],
                             capture_output=True, text=True, check=True).stdout.split()
        return {n for n in out if n.startswith("alliances-sandbox-")}

    assert sandboxes.find_sandbox(container_engine)[0] == container_engine  # makes the empty image
    argv, env, limit, stop = sandboxes.container_command(container_engine, [], 30)
    worker = client.Worker(argv, env, stop=stop)
    worker.send({"op": "run", "source": "while True:\n    pass", "timeout": 600})
    time.sleep(1)
    assert argv[argv.index("--name") + 1] in names()
    worker.close()
    assert not names()


def test_a_crashed_worker_is_seen_before_its_container_is_torn_down(container_engine, tmp_path):
    """A worker that dies (``os._exit``) is "kernel died" at once, whatever the cell's limit: not
    once the engine's client ends, which is after the engine has removed the container (``--rm``)
    and took over a cell's limit on a busy machine. Here the client keeps the output open 20 s
    after the container ended, as such a slow teardown does; the container is still removed."""
    assert sandboxes.find_sandbox(container_engine)[0] == container_engine  # makes the empty image
    slow = slowly_torn_down(tmp_path, container_engine)
    argv, env, limit, stop = sandboxes.container_command(container_engine, [], 30)
    worker = client.Worker([str(slow), *argv[1:]], env, stop=stop)
    assert worker.request({"op": "get", "names": []}, 60)["status"] == "ok"
    started = time.monotonic()
    with pytest.raises(client.WorkerDied) as died:
        worker.request({"op": "run", "source": "import os\nos._exit(1)"}, 10)
    assert died.value.why == "kernel died" and time.monotonic() - started < 8
    names = subprocess.run([container_engine, "ps", "--all", "--format", "{{.Names}}"],
                           capture_output=True, text=True, check=True).stdout.split()
    assert argv[argv.index("--name") + 1] not in names and worker.proc.poll() is not None


def test_only_containers_of_dead_graders_here_are_cleaned_up(container_engine, monkeypatch):
    """At the start of a batch, containers of a grader of this machine that died are removed; those
    of a grader still running (another batch) or of another machine or PID namespace sharing the
    engine are left alone, also where no /proc shows the processes (macOS, the image mode's home)."""
    assert sandboxes.find_sandbox(container_engine)[0] == container_engine  # makes the empty image
    here = containers._machine()
    orphan, running = f"alliances-sandbox-{here}-999999999-0-dead", f"alliances-sandbox-{here}-{os.getpid()}-0-live"
    elsewhere = f"alliances-sandbox-{'0' * 8 if here != '0' * 8 else '1' * 8}-999999999-0-else"
    made = [orphan, running, elsewhere]
    for name in made:
        subprocess.run([container_engine, "create", "--name", name, containers.ROOT_IMAGE, "true"],
                       capture_output=True, check=True)
    exists = Path.exists
    monkeypatch.setattr(Path, "exists", lambda self: not str(self).startswith("/proc/") and exists(self))
    try:
        sandboxes.cleanup_containers(container_engine)
        left = subprocess.run([container_engine, "ps", "--all", "--format", "{{.Names}}"],
                              capture_output=True, text=True, check=True).stdout.split()
        assert {n for n in left if n in made} == {running, elsewhere}
    finally:
        for name in made:
            subprocess.run([container_engine, "rm", "--force", name], capture_output=True)


def test_warm_checker_is_reused_and_reset_between_submissions():
    """One checker per grading process: nothing of one submission stays for the next."""
    for earlier in list(client._WARM):  # start from a fresh checker, whatever earlier tests left in this process
        client.release_checker(earlier, reuse=False)
    first = client.warm_checker()
    assert first.request({"op": "run", "source": "leak = 42\nimport matplotlib.pyplot as plt\nplt.figure()"},
                         30)["status"] == "ok"
    client.release_checker(first)
    second = client.warm_checker()
    assert second is first  # reused: no new Python start, imports or data loading
    reply = second.request({"op": "run", "source": "leak"}, 30)
    assert reply["status"] == "error" and reply["ename"] == "NameError"
    reply = second.request({"op": "run", "source": "import matplotlib.pyplot as plt\nassert not plt.get_fignums()"}, 30)
    assert reply["status"] == "ok", reply
    client.release_checker(second, reuse=False)  # after an unexpected error: closed, and replaced
    assert second.proc.poll() is not None and not second.home.exists()
    third = client.warm_checker()
    assert third is not second and third.proc.poll() is None
    third.close()  # killed, as a timeout kills it: the next checker removes its folder
    fourth = client.warm_checker()
    assert not third.home.exists()
    client.release_checker(fourth, reuse=False)
    assert not fourth.home.exists()


def test_image_mode_runs_the_image_alone(tmp_path):
    """--image: no host folder is mounted; the image's own Python runs the package's sandbox."""
    argv, env, limit, stop = sandboxes.container_command("docker", [tmp_path], 30, image="alliances-grader:test")
    assert "--mount" not in argv and argv[argv.index("alliances-grader:test") + 1:] == [
        "python", "-I", "-S", "-c", containers._INIT, "30", "python", "-I", "-m", "alliances.grading.worker", "sandbox"]
    for flag, value in (("--network", "none"), ("--user", containers.NOBODY), ("--pull", "never"),
                        ("--pids-limit", str(limits.PIDS)), ("--cap-drop", "ALL")):
        assert argv[argv.index(flag) + 1] == value
    assert "--read-only" in argv and f"ALLIANCES_ADDRESS_SPACE={limits.MEMORY}" in argv


def test_image_build_context_pins_the_graders_versions(tmp_path):
    """What `python -m alliances image` builds: this package with its data, and the libraries the
    answers are computed with at exactly the versions the checker uses."""
    from importlib.metadata import version
    import alliances
    assert main(["image", "--context", str(tmp_path / "ctx"), "--base", "example.org/python:3"]) == 0
    ctx = tmp_path / "ctx"
    text = (ctx / "Containerfile").read_text()
    assert text.splitlines()[3:5] == ["ARG BASE=example.org/python:3", "FROM ${BASE}"] and "USER 65534:65534" in text
    # the recipe is the package's own file (shipped in the wheel), only the base image filled in
    recipe = (Path(alliances.__file__).parent / "grading" / "sandboxes" / "Containerfile").read_text()
    assert text == recipe.replace(f"ARG BASE={containers.BASE}", "ARG BASE=example.org/python:3")
    pins = (ctx / "requirements.txt").read_text().split()
    assert pins == [f"{name}=={version(name)}" for name in containers.IMAGE_PINS]
    package = Path(alliances.__file__).parent
    assert sorted(p.name for p in (ctx / "alliances").glob("*.py")) == sorted(p.name for p in package.glob("*.py"))
    assert (ctx / "alliances" / "_data" / "datapackage.json").read_bytes() == \
        (data.data_dir() / "datapackage.json").read_bytes()
    assert not list(ctx.rglob("__pycache__"))
    default = sandboxes.image_context(tmp_path / "default")
    assert f"ARG BASE=docker.io/library/python:{sys.version_info[0]}.{sys.version_info[1]}-slim\n" in \
        (default / "Containerfile").read_text()


def test_image_build_failure_is_reported(monkeypatch, capsys):
    _without(monkeypatch, "podman", "docker")
    assert main(["image"]) == 1
    assert "needs podman or docker" in capsys.readouterr().err


def test_checker_memory_is_limited(tmp_path):
    """Decoding an answer can take far more memory than the answer's few bytes (a one-element array
    of dtype <U500000000 is 2 GB): the checker runs under the sandbox's address-space limit, so
    such a value becomes unsupported instead of exhausting the grading machine's memory."""
    checker = client.checker(tmp_path)
    try:
        reply = checker.request({"op": "run", "source": "import resource\nlimit = resource.getrlimit(resource.RLIMIT_AS)"}, 30)
        assert reply["status"] == "ok", reply
        reply = checker.request({"op": "run", "source": f"assert limit == ({limits.MEMORY}, {limits.MEMORY}), limit"}, 30)
        assert reply["status"] == "ok", reply  # checked first: without the limit the next step would take 4 GB
        huge = {"__t": "ndarray", "dtype": "<U500000000", "v": ["a", "b"]}  # 4 GB
        assert checker.request({"op": "set", "values": {"answer": huge}}, 60)["status"] == "ok"
        reply = checker.request({"op": "run", "source": "assert 'MemoryError' in repr(answer), repr(answer)"}, 30)
        assert reply["status"] == "ok", reply
    finally:
        checker.close()


OUT_OF_MEMORY = '''
import os
for _ in range(3):
    if os.fork() == 0:
        block = bytearray(600 * 1024 ** 2)
        for i in range(0, len(block), 4096):
            block[i] = 1
        os._exit(0)
for _ in range(3):
    os.wait()
n_founders = 3
'''


def test_a_container_out_of_memory_writes_nothing_where_the_grader_runs(podman, tmp_path, monkeypatch):
    """Podman's conmon creates an empty file "oom" in its working directory when a container runs out
    of memory: the grader starts the engine in the submission's temporary folder, not where it runs."""
    fixture = FIXTURES / "problem-set-demo.ipynb"
    monkeypatch.setattr(limits, "MEMORY", 1024 ** 3)  # three children of 600 MB are then too many
    nb = release.student_version(release.read(fixture))
    next(c for c in nb.cells if c.get("id") == "ex1-answer").source = OUT_OF_MEMORY
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    path = tmp_path / "subs" / "ann" / fixture.name
    path.write_text(json.dumps(nb))
    (tmp_path / "here").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    source = release.read(fixture)
    rows = run.grade_one(path, source, release.exercises(source), timeout=20, engine="podman")
    assert [r[0] for r in rows] == ["ex1", "ex2"] and not rows[0][3].startswith("grader error"), rows
    assert list((tmp_path / "here").iterdir()) == []


def test_containers_left_during_a_batch_are_removed_at_its_end(podman, tmp_path):
    """A container the engine finishes creating after its grader gave up on it (a slow start, a timeout)
    is never started nor removed by its worker: the batch removes what its ended workers left."""
    fixture = FIXTURES / "problem-set-demo.ipynb"
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / fixture.name).write_bytes(fixture.read_bytes())
    (tmp_path / "subs" / "ann").mkdir(parents=True)
    (tmp_path / "subs" / "ann" / fixture.name).write_text(json.dumps(release.student_version(release.read(fixture))))
    left = f"alliances-sandbox-{containers._machine()}-999999999-0-left"  # as a worker that has ended left it

    def leave(student, name):
        subprocess.run(["podman", "create", "--name", left, containers.ROOT_IMAGE, "true"], capture_output=True, check=True)
    try:
        rows = grade(tmp_path / "subs", tmp_path / "src", tmp_path / "out", timeout=10, jobs=1,
                           engine="podman", progress=leave)
        assert [r["reason"] for r in rows] == ["not answered", "not answered"]
        names = subprocess.run(["podman", "ps", "--all", "--format", "{{.Names}}"], capture_output=True, text=True).stdout
        assert "alliances-sandbox-" not in names
    finally:
        subprocess.run(["podman", "rm", "--force", left], capture_output=True)


def test_a_venv_reached_through_a_link_starts_in_the_sandbox(tmp_path, monkeypatch):
    """A checkout whose .venv is a link to another folder (a git worktree sharing a venv): the
    worker's Python must be named where the sandbox binds it, or bwrap cannot find it."""
    from alliances.grading import worker
    from alliances.grading.sandboxes.common import view
    link = tmp_path / "venv-link"
    link.symlink_to(Path(sys.executable).parent.resolve(), target_is_directory=True)
    monkeypatch.setattr(sys, "executable", str(link / Path(sys.executable).name))
    python = Path(worker._entry("sandbox")[0])
    binds, _ = view(())
    assert python.parent == Path(sys.executable).parent.resolve()
    assert any(python.is_relative_to(b) for b in binds), (python, binds)
    assert python.name == Path(sys.executable).name  # the venv's own launcher, not the base Python
