"""How each launch of a script behaves (the table of docs/running.md#how-a-launch-behaves): what a
run needs (one-line errors, Ctrl-C's line and death by SIGINT, BLAS on one thread) is asked for by
the script's own `if __name__ == "__main__":` line, mnist.run(main), so Python decides, never a
guess from folders. A probe beside a copy of mnist.py stands for a script: its main() reports the
BLAS threads it runs on and then fails as told; and a bash loop of three real runs stops at the
first Ctrl-C."""
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

import mnist
from conftest import ROOT, script_env, with_default_sigint

PROBE = textwrap.dedent('''\
    """A script's skeleton: main() prints the BLAS threads it runs on, then fails as argv says."""
    import sys

    import mnist
    import threadpoolctl


    def main():
        threads = sorted({p["num_threads"] for p in threadpoolctl.threadpool_info() if p["user_api"] == "blas"})
        print("blas", threads, flush=True)
        if sys.argv[-1] == "data":
            raise mnist.DataError("no data here")
        raise KeyboardInterrupt


    if __name__ == "__main__":
        mnist.run(main)
    ''')
HOST = "import sys; sys.path.insert(0, '.'); import probe; sys.argv = ['probe.py', sys.argv[-1]]; probe.main()"
# each launch: its command, given the probe's failure ("data" or "interrupt"), and whether it is a run
LAUNCHES = {
    "python SCRIPT": (lambda f: ["probe.py", f], True),
    "python -m": (lambda f: ["-m", "probe", f], True),
    "python - < SCRIPT": (lambda f: ["-", f], True),
    "python -m cProfile": (lambda f: ["-m", "cProfile", "probe.py", f], True),
    "%run in IPython": (lambda f: ["-m", "IPython", "--no-banner", "--quick", "--colors=nocolor", "-c",
                                   f"%run probe.py {f}"], True),
    "python -c, main()": (lambda f: ["-c", HOST, f], False),
    "another program imports it": (lambda f: ["host.py", f], False),
}


@pytest.fixture
def probe(tmp_path):
    shutil.copy(os.path.join(ROOT, "mnist.py"), tmp_path)
    (tmp_path / "probe.py").write_text(PROBE)
    (tmp_path / "host.py").write_text(HOST.replace("; ", "\n"))
    return tmp_path


def launch(folder, name, failure):
    cmd = with_default_sigint([sys.executable, *LAUNCHES[name][0](failure)])
    env = {k: v for k, v in script_env().items() if k not in mnist.BLAS_VARIABLES}
    with open(folder / "probe.py") as script:  # the standard input of `python -`
        return subprocess.run(cmd, cwd=folder, capture_output=True, text=True, env=env, timeout=120,
                              stdin=script if name == "python - < SCRIPT" else subprocess.DEVNULL)


def all_cores():
    return min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(), os.cpu_count())


@pytest.mark.parametrize("name", LAUNCHES)
def test_unusable_data_is_one_line_where_it_is_a_run(probe, name):
    result = launch(probe, name, "data")
    is_run = LAUNCHES[name][1]
    threads = re.search(r"^blas \[(\d+)\]$", result.stdout, re.M)
    assert threads, (result.stdout, result.stderr)
    assert int(threads.group(1)) == (1 if is_run else all_cores())
    if name == "%run in IPython":  # the kernel lives on: IPython reports the SystemExit in its way
        assert result.stderr.startswith("error: no data here\n") and "Traceback" not in result.stdout
    elif name == "python -m cProfile":  # cProfile catches any SystemExit: the line, and exit code 0
        assert result.returncode == 0 and result.stderr == "error: no data here\n", result.stderr
    elif is_run:
        assert result.returncode == 1 and result.stderr == "error: no data here\n", result.stderr
    else:
        assert result.returncode == 1 and "Traceback" in result.stderr
        assert result.stderr.endswith("mnist.DataError: no data here\n"), result.stderr


@pytest.mark.parametrize("name", LAUNCHES)
def test_ctrl_c_is_one_line_where_it_is_a_run_and_the_process_dies_by_sigint(probe, name):
    result = launch(probe, name, "interrupt")
    is_run = LAUNCHES[name][1]
    if name == "%run in IPython":  # IPython catches the interrupt and lives on
        assert "interrupted" in result.stderr and "KeyboardInterrupt" in result.stdout + result.stderr
        return
    assert result.returncode == -signal.SIGINT, (result.returncode, result.stderr)  # the shell's 130
    if is_run:
        assert result.stderr == "interrupted\n", result.stderr
    else:
        assert "Traceback" in result.stderr and result.stderr.endswith("KeyboardInterrupt\n")


def test_a_run_leaves_atexit_handlers_to_run(probe):
    code = ("import atexit, runpy, sys; atexit.register(print, 'atexit ran'); sys.argv = ['probe.py', 'interrupt']; "
            "runpy.run_path('probe.py', run_name='__main__')")
    result = subprocess.run(with_default_sigint([sys.executable, "-c", code]), cwd=probe, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == -signal.SIGINT and result.stdout.endswith("atexit ran\n"), result.stdout


def test_compare_starts_each_script_as_python_script_with_the_environment_it_was_given():
    """compare.py imports mnist (its names), which sets nothing; its children are `python SCRIPT`."""
    code = ("import os, sys; sys.path.insert(0, sys.argv[1]); before = dict(os.environ); import compare; "
            "print(dict(os.environ) == before)")
    env = {k: v for k, v in script_env().items() if k != "OPENBLAS_NUM_THREADS"}
    result = subprocess.run([sys.executable, "-c", code, ROOT], capture_output=True, text=True, env=env, timeout=120)
    assert result.stdout == "True\n", result.stderr
    with open(os.path.join(ROOT, "compare.py"), encoding="utf-8") as f:
        assert "OPENBLAS_NUM_THREADS" not in f.read()


@pytest.mark.slow  # real runs
def test_ctrl_c_stops_a_shell_loop_of_runs(real_data_dir, tmp_path):
    """`for i in 1 2 3; do python mlp_numpy.py ...; done` in bash, and Ctrl-C (SIGINT to the
    loop's process group, as a terminal sends it) in the first run: the loop stops there."""
    loop = ('for i in 1 2 3; do echo "run $i"; "$0" -u mlp_numpy.py --epochs 200 --train-size 2000 '
            f'--save {tmp_path}/w$i.npz; done; echo "loop done"')
    proc = subprocess.Popen(with_default_sigint([shutil.which("bash"), "-c", loop, sys.executable]), cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env=script_env({"MNIST_DATA_DIR": real_data_dir}), start_new_session=True)
    try:
        lines = [proc.stdout.readline(), proc.stdout.readline()]
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert lines[0] == "run 1\n" and lines[1].startswith("epoch  1/200  loss "), (lines, err)
    assert "run 2" not in out and "loop done" not in out, out
    assert proc.returncode in (-signal.SIGINT, 128 + signal.SIGINT), proc.returncode
    assert re.fullmatch(r"interrupted at epoch \d+\n", err), err
    assert os.listdir(tmp_path) == []


@pytest.mark.slow  # real runs
def test_the_loop_goes_on_when_a_run_ends_by_itself(real_data_dir, tmp_path):
    """The control: without Ctrl-C, the same loop runs all three."""
    loop = 'for i in 1 2 3; do "$0" mlp_numpy.py --epochs 1 --train-size 100 || exit; done; echo "loop done"'
    result = subprocess.run(["bash", "-c", loop, sys.executable], cwd=ROOT, capture_output=True, text=True,
                            env=script_env({"MNIST_DATA_DIR": real_data_dir}), timeout=300)
    assert result.stdout.count("test accuracy") == 3 and result.stdout.endswith("loop done\n"), result.stderr
