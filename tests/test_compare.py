"""compare.py: the table, the rows it writes, the figure, failures."""
import json
import os

import numpy as np
import pytest

import compare
from conftest import ROOT, run

FAKE = """import os, sys, time
print("epoch  1/3  loss 1.0000  val accuracy 0.5000  (2.0 s)", flush=True)
open(sys.argv[0] + ".started", "w").close()
other = sys.argv[0].replace("_a.py", "_B.py").replace("_b.py", "_a.py").replace("_B.py", "_b.py")
for _ in range(int(10 * float(sys.argv[1]))):  # wait for the other fake: they must run at once
    if os.path.exists(other + ".started"):
        break
    time.sleep(0.1)
else:
    sys.exit(4)
print("epoch  2/3  loss 0.5000  val accuracy 0.6000  (0.4 s)")
print("epoch  3/3  loss 0.2500  val accuracy 0.7000  (0.6 s)")
print("test accuracy 0.7100")
"""


@pytest.mark.slow
def test_compare_tables_writes_and_plots(real_data_dir, tmp_path):
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    result = run("compare.py", "mlp_numpy.py", "conv_numpy.py", "--epochs", "2",
                 "--train-size", "500", "--seed", "1", "--out", str(out), "--plot", str(png))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "| script | test accuracy | s/epoch | wall time (s) | peak RSS (MiB) |"
    assert lines[2].startswith("| mlp_numpy.py | 0.") and lines[3].startswith("| conv_numpy.py | 0.")
    rows = json.loads(out.read_text())
    assert [r["script"] for r in rows] == ["mlp_numpy.py", "conv_numpy.py"]
    for r in rows:
        assert len(r["val_accuracy"]) == 2 and 0 < r["test_accuracy"] <= 1
        assert len(r["loss"]) == 2 and 0 < r["loss"][1] < r["loss"][0] < 3  # it learns
        assert r["seconds"] > 0 and r["peak_mib"] > 50 and r["returncode"] == 0
        assert len(r["elapsed"]) == 2 and 0 < r["elapsed"][0] <= r["elapsed"][1] <= r["seconds"]  # 0.1 s steps
        assert len(r["epoch_seconds"]) == 2 and r["s_per_epoch"] == r["epoch_seconds"][1]
        assert r["machine"] == compare.machine() and r["jobs"] == 1 and r["versions"]["numpy"] == np.__version__
    assert "[1/2 mlp_numpy.py] epoch 2/2  loss " in result.stderr  # progress
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and os.path.getsize(png) < 200_000
    again = run("compare.py", "--load", str(out), "--plot", str(tmp_path / "again.png"))
    assert again.returncode == 0 and again.stdout == result.stdout and again.stderr == ""
    assert (tmp_path / "again.png").exists()


@pytest.mark.slow
def test_compare_writes_csv(real_data_dir, tmp_path):
    out = tmp_path / "r.csv"
    assert run("compare.py", "mlp_numpy.py", "--epochs", "1", "--train-size", "100",
               "--out", str(out)).returncode == 0
    header, row = out.read_text().splitlines()
    assert header == "script,test_accuracy,s_per_epoch,seconds,peak_mib,returncode"
    assert row.startswith("mlp_numpy.py,0.")


def test_compare_reports_a_failing_script(tmp_path):
    bad = tmp_path / "mlp_broken.py"
    bad.write_text("import sys\nprint('epoch  1/1  loss 1.2345  val accuracy 0.5000  (0.1 s)')\n"
                   "sys.exit(3)\n")
    result = run("compare.py", str(bad))
    assert result.returncode == 1
    assert "| mlp_broken.py | failed (exit 3) |" in result.stdout


@pytest.mark.parametrize("flags", [["no_such_script.py"], ["--out", "r.txt"], ["--plot", "r.jpg"],
                                   ["--epochs", "0"], ["--dataset", "cifar"], ["--batch-size", "1,10"],
                                   ["--load", "README.md"], ["--load", "no_such.json"]])
def test_compare_flag_errors_exit_2(flags):
    result = run("compare.py", *flags)
    assert result.returncode == 2 and "error:" in result.stderr


def test_default_scripts_are_every_mlp_and_conv_the_deep_nets_last():
    import compare
    scripts = [os.path.basename(s) for s in compare.parse_args([]).scripts]
    names = sorted(f for f in os.listdir(ROOT) if f.endswith(".py"))
    assert scripts == [f for f in names if f.startswith("mlp_")] + \
        [f for f in names if f.startswith("conv_") and not f.startswith("conv_deep_")] + \
        [f for f in names if f.startswith("conv_deep_")]
    assert len(scripts) == 25 and scripts[-1] == "conv_deep_torch.py"


def test_two_jobs_run_at_once_on_a_core_each_and_the_rows_keep_their_order(tmp_path, monkeypatch):
    """--jobs 2: two fakes that each wait for the other to start (exit 4 when alone) run
    at once, each on its own core; s/epoch is the mean of epochs 2..N of the scripts' own times;
    every row names the machine."""
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("one core: --jobs 2 cannot pin two scripts apart")
    for name in ("mlp_a.py", "mlp_b.py"):
        (tmp_path / name).write_text(FAKE)
    monkeypatch.setattr("sys.argv", ["compare.py", str(tmp_path / "mlp_a.py"), str(tmp_path / "mlp_b.py"),
                                     "--jobs", "2"])
    args = compare.parse_args()
    rows = compare.run_all(args.scripts, ["60"], 2, list(reversed(args.scripts)))
    assert [r["script"] for r in rows] == ["mlp_a.py", "mlp_b.py"]
    assert [r["returncode"] for r in rows] == [0, 0]  # side by side: neither waited alone
    assert sorted(len(r["cpus"]) for r in rows) == [1, 1] and rows[0]["cpus"] != rows[1]["cpus"]
    for r in rows:
        assert r["epoch_seconds"] == [2.0, 0.4, 0.6] and r["s_per_epoch"] == 0.5
        assert r["test_accuracy"] == 0.71 and r["jobs"] == 2
        assert r["machine"]["cpu"] and r["machine"]["cpu_count"] == os.cpu_count()
    table = compare.markdown(rows).splitlines()
    assert table[2] == f"| mlp_a.py | 0.7100 | 0.50 | {rows[0]['seconds']} | {rows[0]['peak_mib']} |"
    assert table[-1].startswith(f"machine: {rows[0]['machine']['cpu']}, {os.cpu_count()} cores,")
    assert table[-1].endswith("scripts at a time: 2")
    for marker in tmp_path.glob("*.started"):
        marker.unlink()
    alone = compare.run_all(args.scripts[:1], ["1"], 1, args.scripts[:1])  # one job: the fake waits in vain
    assert alone[0]["returncode"] == 4


def test_the_slowest_start_first_by_the_earlier_rows(tmp_path):
    earlier = tmp_path / "r.json"
    earlier.write_text(json.dumps([{"script": "a.py", "seconds": 1}, {"script": "b.py", "seconds": 9}]))
    assert compare.start_order(["x/a.py", "x/b.py", "x/c.py"], str(earlier)) == ["x/c.py", "x/b.py", "x/a.py"]
    assert compare.start_order(["x/a.py", "x/b.py"], str(tmp_path / "none.json")) == ["x/a.py", "x/b.py"]


def test_every_flag_has_help():
    result = run("compare.py", "--help")
    assert result.returncode == 0
    for flag in ("--epochs N", "--train-size N", "--seed N", "--dataset", "--jobs N", "--out", "--plot", "--load"):
        after = result.stdout.split(flag, 1)[1].split("\n  -", 1)[0]
        assert len(after.split()) >= 3, flag  # words of help after the flag's name


def test_the_committed_results_are_one_run_on_one_machine():
    """All the default scripts: those without a note from one invocation on one machine (one
    date, one --jobs, a core each); a row added later (a framework that joined after that run)
    says so in its note and comes from the same kind of machine."""
    with open(os.path.join(ROOT, "docs", "results-mnist.json")) as f:
        rows = json.load(f)
    assert sorted(r["script"] for r in rows) == sorted(os.path.basename(s) for s in compare.parse_args([]).scripts)
    main, added = [r for r in rows if "note" not in r], [r for r in rows if "note" in r]
    assert len(main) >= 22 and len({json.dumps(r["machine"], sort_keys=True) for r in main}) == 1
    assert len({r["date"] for r in main}) == 1 and len({r["jobs"] for r in main}) == 1
    for r in added:
        assert compare.machine_kind(r["machine"]) == compare.machine_kind(main[0]["machine"]), r["script"]
        assert len(r["note"]) > 20, r["script"]
    for r in rows:
        assert r["returncode"] == 0 and r["flags"] == [] and len(r["epoch_seconds"]) == 30, r["script"]
        assert r["s_per_epoch"] == compare.s_per_epoch(r["epoch_seconds"]) > 0, r["script"]
        assert all(r["versions"].values()) and (len(r["cpus"]) == 1 or "note" in r), r["script"]
