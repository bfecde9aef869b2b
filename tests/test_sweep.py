"""bench/sweep.py, the speed sweep: the rows, the fit, the tables, the figure; and compare.py and
the sweep on a system without Linux's core affinity.

The fast tests use fake scripts whose epochs sleep a known e + steps * (a + c * b), so that the
fit must find e, a and c; the slow one sweeps two real scripts on a subset. Speed itself is a
benchmark (docs/benchmarks.md), never asserted here."""
import json
import os
import re
import sys

import numpy as np
import pytest

import compare
from conftest import ROOT, run

sys.path.insert(0, os.path.join(ROOT, "bench"))
import sweep  # noqa: E402

E_MS, A_US, C_US = 100, 1000, 200  # the fakes: an epoch takes E_MS, and each step A_US + C_US * batch size more
FAKE = f"""import argparse, time
def train_epoch(steps, batch_size):  # sleeps to deadlines, so that no sleep's overshoot adds up
    due = time.perf_counter() + {E_MS} / 1e3
    for _ in range(steps + 1):
        time.sleep(max(0.0, due - time.perf_counter()))
        due += ({A_US} + {C_US} * batch_size) / 1e6
    return 2.0 - 0.1 * steps / 1000
def main():
    p = argparse.ArgumentParser()
    for flag in ("--epochs", "--batch-size", "--train-size", "--seed"):
        p.add_argument(flag, type=int)
    p.add_argument("--lr", type=float)
    p.add_argument("--compile", action="store_true")
    args = p.parse_args()
    steps = -(-args.train_size // args.batch_size)
    for epoch in range(1, args.epochs + 1):
        start = time.perf_counter()
        loss = train_epoch(steps, args.batch_size)
        print(f"epoch {{epoch:2d}}/{{args.epochs}}  loss {{loss:.4f}}  val accuracy 0.5000  "
              f"({{time.perf_counter() - start:.1f}} s)", flush=True)
    print("test accuracy 0.5000")
if __name__ == "__main__":
    main()
"""
SIZES = "1,10,100"  # with --train-size 1000: 500, 1000 and 1000 images, so that e and c part


@pytest.fixture
def fakes(tmp_path):
    """Two fake scripts, an MLP (whose yardstick, NumPy's, runs too) and a conv net."""
    paths = [tmp_path / "mlp_numpy.py", tmp_path / "conv_torch.py"]
    for path in paths:
        path.write_text(FAKE)
    return [str(p) for p in paths]


def test_a_sweep_times_every_point_and_fits_e_a_and_c(fakes, tmp_path):
    out, png = tmp_path / "sweep.json", tmp_path / "sweep.png"
    result = run("bench/sweep.py", *fakes, "--batch-size", SIZES, "--train-size", "1000",
                 "--out", str(out), "--plot", str(png))
    assert result.returncode == 0, result.stderr
    rows = json.loads(out.read_text())
    # each script at each batch size, the MLP's yardstick right after it at 10
    assert [(r["script"], r["batch_size"], r["minimal"]) for r in rows] == [
        ("mlp_numpy.py", 1, False), ("mlp_numpy.py", 10, False), ("minimal_numpy.py", 10, True),
        ("mlp_numpy.py", 100, False), ("conv_torch.py", 1, False), ("conv_torch.py", 10, False),
        ("conv_torch.py", 100, False)]
    for r in rows:
        assert r["returncode"] == 0 and r["sweep"] and r["device"] == "cpu" and r["machine"] == compare.MACHINE
        assert r["train_size"] == sweep.sweep_train_size(r["batch_size"], 1000)
        assert r["steps"] == -(-r["train_size"] // r["batch_size"])
        assert r["flags"][:4] == ["--epochs", str(sweep.SWEEP_EPOCHS), "--lr", str(sweep.SWEEP_LR)]
        assert len(r["train_seconds"]) == sweep.SWEEP_EPOCHS  # bench/timed.py's lines, one an epoch
        low, high = r["step_us_range"]
        assert low <= r["step_us"] <= high
        assert r["images_per_s"] == pytest.approx(r["train_size"] / (r["step_us"] * r["steps"] / 1e6), rel=1e-3)
    for r in rows[:2] + rows[3:]:  # the fakes: each epoch sleeps e + steps * (a + c*b) (sleep overshoots)
        assert r["epoch_s"] >= (E_MS * 1e3 + r["steps"] * (A_US + C_US * r["batch_size"])) / 1e6
        assert len(r["loss"]) == sweep.SWEEP_EPOCHS  # the script's own lines are read as ever
    fitted = sweep.fits(rows)
    assert set(fitted) == {"mlp_numpy.py", "conv_torch.py"}  # the yardstick is not fitted
    for f in fitted.values():
        assert f["e_ms"] == pytest.approx(E_MS, rel=0.3) and f["a_us"] == pytest.approx(A_US, rel=0.3)
        assert f["c_us"] == pytest.approx(C_US, rel=0.3)
        assert all(0.9 < off < 1.1 for off in f["off"].values())
    table = result.stdout.splitlines()
    assert table[0].startswith("| script | e: ms/epoch | a: µs/step | c: µs/image | images/s at 1 | images/s at 10 |")
    f = fitted["mlp_numpy.py"]
    assert table[2].startswith(f"| mlp_numpy.py | {f['e_ms']:g} | {f['a_us']:g} | {f['c_us']:g} |")
    assert "| numpy | minimal_numpy.py | 10 |" in result.stdout  # the script against its yardstick
    assert table[-1].startswith("machine: ") and "device: cpu" in table[-1]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run("bench/sweep.py", "--load", str(out))
    assert again.returncode == 0 and again.stdout == result.stdout
    other = run("compare.py", "--load", str(out))  # a sweep's rows are not compare.py's
    assert other.returncode == 2 and "python bench/sweep.py --load" in other.stderr


def test_the_fit_finds_e_a_and_c_and_never_goes_below_zero():
    def epochs(e, a, c, sizes=(1, 10, 100, 1000)):  # the sweep's points: (steps, images, seconds)
        points = []
        for b in sizes:
            images = sweep.sweep_train_size(b)
            points.append((images // b, images, e + images // b * a + images * c))
        return points
    assert sweep.fit(epochs(0.05, 10e-6, 2e-6)) == pytest.approx((0.05, 10e-6, 2e-6), rel=0.01)
    e, a, c = sweep.fit(epochs(0, 10e-6, 2e-6))  # no cost per epoch: e would be < 0 if it moved
    assert e == pytest.approx(0, abs=1e-6) and a == pytest.approx(10e-6, rel=0.01)
    points = [(s, i, t * (0.8 if i == 500 else 1)) for s, i, t in epochs(0, 0, 2e-6)]  # batch 1 faster
    e, a, c = sweep.fit(points)  # than its images: a would be < 0
    assert a == 0 and e >= 0 and c > 0
    assert sweep.cost(0.0) == "-" and sweep.cost(12.5) == "12.5"  # a bound is not printed as a cost


def test_points_off_their_fit_are_named():
    rows = [{"script": "mlp_x.py", "batch_size": b, "steps": steps, "train_size": steps * b, "epoch_s": t,
             "step_us": t / steps * 1e6, "minimal": False, "images_per_s": steps * b / t,
             "first_epoch_extra_s": 0.5, "machine": compare.MACHINE, "device": "cpu"}
            for b, steps, t in ((1, 500, 0.005), (10, 500, 0.01), (100, 100, 0.011), (1000, 10, 0.03))]
    fitted = sweep.fits(rows)["mlp_x.py"]
    worst = sweep.furthest(fitted["off"])
    assert abs(np.log(worst[1])) > 0.05  # no line through all four
    table = sweep.markdown(rows)
    assert f"{worst[1]:.2f} at {worst[0]}" in table
    assert f"furthest from its fit: mlp_x.py at batch {worst[0]}, {worst[1]:.2f} times e + steps * a + images * c" in table
    assert "| mlp_x.py | " + " | ".join(f"{fitted['off'][b]:.2f}" for b in (1, 10, 100, 1000)) + " |" in table


def test_the_sweep_trains_enough_and_not_too_much():
    sizes = {b: sweep.sweep_train_size(b) for b in (1, 10, 100, 1000, 5000, 10000)}
    assert sizes == {1: 500, 10: 5000, 100: 10000, 1000: 10000, 5000: 50000, 10000: 50000}
    assert sweep.sweep_train_size(1000, most=400) == 400  # --train-size caps it


@pytest.mark.parametrize("flags", [["--batch-size", "10,0"], ["--batch-size", "10,10"], ["--batch-size", "a"],
                                   ["--jobs", "2"], ["--epochs", "3"], ["--out", "s.csv"], ["--lr", "-1"],
                                   ["no_such_script.py"], ["--load", "README.md"]])
def test_sweep_flag_errors_exit_2(flags):
    result = run("bench/sweep.py", *flags)
    assert result.returncode == 2 and "error:" in result.stderr


def test_one_batch_size_and_lr_are_handed_to_the_scripts(tmp_path):
    echo = tmp_path / "mlp_echo.py"
    echo.write_text("import sys\nprint(' '.join(sys.argv[1:]), file=sys.stderr)\n"
                    "print('epoch  1/1  loss 1.0000  val accuracy 0.5000  (0.1 s)')\nprint('test accuracy 0.5000')\n")
    result = run("compare.py", str(echo), "--batch-size", "100", "--lr", "0.5", "--out", str(tmp_path / "r.json"))
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "r.json").read_text())[0]["flags"] == ["--batch-size", "100", "--lr", "0.5"]
    assert run("compare.py", str(echo), "--batch-size", "1,10").returncode == 2  # a list is the sweep's


def test_yardstick_variants_are_rows_of_their_own(tmp_path, monkeypatch):
    """A framework's second idiom (torch.compile) runs as a yardstick row of its own, named by its
    flag, right after the plain one."""
    script = tmp_path / "mlp_torch.py"
    script.write_text(FAKE)
    minimal = tmp_path / "minimal"
    minimal.mkdir()
    (minimal / "minimal_torch.py").write_text(FAKE)
    monkeypatch.setattr(sweep, "MINIMAL", str(minimal))
    rows = sweep.run_sweep([str(script)], [10], ["--epochs", "2", "--lr", "0.01"], train_size=40)
    assert [(r["script"], r.get("variant"), r["minimal"]) for r in rows] == [
        ("mlp_torch.py", None, False), ("minimal_torch.py", None, True), ("minimal_torch.py", ["--compile"], True)]
    assert rows[2]["flags"][-1] == "--compile" and [sweep.label(r) for r in rows[1:]] == [
        "minimal_torch.py", "minimal_torch.py --compile"]


def test_compare_and_the_sweep_without_core_affinity(fakes, tmp_path, monkeypatch, capsys):
    """As on macOS or Windows: no os.sched_getaffinity or sched_setaffinity. compare.py's table of
    the committed results, two jobs at once (unpinned), and the sweep's mechanics all run; the
    peak memory is read in the unit of the OS."""
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.delattr(os, "sched_setaffinity", raising=False)
    assert compare.cores() == list(range(os.cpu_count()))
    monkeypatch.setattr(sys, "argv", ["compare.py", "--load", os.path.join(ROOT, "docs", "results-mnist.json")])
    with pytest.raises(SystemExit) as exit:
        compare.main()
    assert exit.value.code == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0] == "| script | test accuracy | s/epoch | wall time (s) | peak RSS (MiB) |" and len(table) >= 24
    rows = compare.run_all(fakes, ["--epochs", "1", "--batch-size", "10", "--train-size", "20"], 2, fakes)
    assert [r["returncode"] for r in rows] == [0, 0]
    assert all(r["cpus"] == compare.cores() and r["peak_mib"] > 0 for r in rows)  # not pinned
    rows = sweep.run_sweep(fakes[1:], [10, 100, 200], ["--epochs", "2", "--lr", "0.01"], train_size=200)
    assert all(r["returncode"] == 0 and r["step_us"] > 0 for r in rows)
    assert "conv_torch.py" in sweep.fits(rows) and sweep.markdown(rows).startswith("| script |")

    class Usage:
        ru_maxrss = 300 * 2**20
    monkeypatch.setattr(sys, "platform", "darwin")  # bytes
    assert compare.peak_mib(Usage) == 300
    monkeypatch.setattr(sys, "platform", "linux")  # KiB
    assert compare.peak_mib(Usage) == 300 * 1024


@pytest.mark.slow
def test_a_sweep_of_two_real_scripts(real_data_dir, tmp_path):
    out = tmp_path / "sweep.json"
    result = run("bench/sweep.py", "mlp_numpy.py", "conv_numpy.py", "--batch-size", "10,50,100",
                 "--train-size", "300", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = json.loads(out.read_text())
    assert [(r["script"], r["batch_size"]) for r in rows] == [
        ("mlp_numpy.py", 10), ("minimal_numpy.py", 10), ("mlp_numpy.py", 50), ("mlp_numpy.py", 100),
        ("conv_numpy.py", 10), ("conv_numpy.py", 50), ("conv_numpy.py", 100)]
    for r in rows:
        assert r["returncode"] == 0 and len(r["train_seconds"]) == sweep.SWEEP_EPOCHS and r["step_us"] > 0
        assert r["versions"]["numpy"] and r["device"] == "cpu"
    for r in rows[:1] + rows[2:]:  # trained, and timed apart from the validation
        assert len(r["val_accuracy"]) == sweep.SWEEP_EPOCHS and r["test_accuracy"] is not None
        assert sum(r["train_seconds"]) < sum(r["epoch_seconds"]) + 0.1 * len(r["epoch_seconds"])
    fitted = sweep.fits(rows)
    assert fitted["conv_numpy.py"]["c_us"] > fitted["mlp_numpy.py"]["c_us"] > 0  # a conv image costs more


def test_timed_py_needs_a_script():
    result = run("bench/timed.py")
    assert result.returncode != 0 and "usage: python bench/timed.py SCRIPT.py" in result.stderr


@pytest.mark.slow  # starts tinygrad and compiles a step
def test_the_tinygrad_kernel_table_sums_a_replayed_step():
    result = run("bench/kernels_tinygrad.py", "mlp_tinygrad.py", "--steps", "3", "--top", "20")
    assert result.returncode == 0, result.stderr
    head, *rows = result.stdout.splitlines()
    m = re.fullmatch(r"mlp_tinygrad\.py, batch 10: (\d+) kernels a step \((\d+) names\), ([\d.]+) ms, [\d.]+ us an image", head)
    assert m and int(m[1]) >= int(m[2]) == len(rows) > 1 and float(m[3]) > 0, result.stdout
    shares = [float(r.split()[-2]) for r in rows]
    assert shares == sorted(shares, reverse=True) and 99 <= sum(shares) <= 101, result.stdout
    # the largest is a reduction (the hidden layer's product; its name, the loop shape tinygrad
    # chose, varies with the machine's threads: r_10_100_196_4, r_5_100_2_196_4)
    assert rows[0].split()[0].startswith("r_"), result.stdout


def test_the_tinygrad_kernel_table_takes_only_the_tinygrad_scripts():
    result = run("bench/kernels_tinygrad.py", "mlp_torch.py")
    assert result.returncode == 2 and "invalid choice: 'mlp_torch.py'" in result.stderr
