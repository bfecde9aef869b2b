"""compare.py's speed sweep (--batch-size 10,100,...): the rows, the fit, the table, the figure.

The fast tests use fake scripts whose steps sleep a known a + c*b, so that the fit must find a and
c; the slow one sweeps two real scripts on a subset. Speed itself is a benchmark
(docs/benchmarks.md), never asserted here."""
import json

import numpy as np
import pytest

import compare
from conftest import run

A_US, C_US = 4000, 100  # the fakes' step: a sleep of A_US + C_US * batch size microseconds
FAKE = f"""import argparse, time
def train_epoch(steps, batch_size):
    for _ in range(steps):
        time.sleep(({A_US} + {C_US} * batch_size) / 1e6)
    return 2.0 - 0.1 * steps / 1000
def main():
    p = argparse.ArgumentParser()
    for flag in ("--epochs", "--batch-size", "--train-size", "--seed"):
        p.add_argument(flag, type=int)
    p.add_argument("--lr", type=float)
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


@pytest.fixture
def fakes(tmp_path):
    """Two fake scripts, an MLP (whose minimal loop, NumPy's, runs too) and a conv net."""
    paths = [tmp_path / "mlp_numpy.py", tmp_path / "conv_torch.py"]
    for path in paths:
        path.write_text(FAKE)
    return [str(p) for p in paths]


def test_a_sweep_times_every_point_and_fits_a_and_c(fakes, tmp_path):
    out, png = tmp_path / "sweep.json", tmp_path / "sweep.png"
    result = run("compare.py", *fakes, "--batch-size", "10,100", "--train-size", "400",
                 "--out", str(out), "--plot", str(png))
    assert result.returncode == 0, result.stderr
    rows = json.loads(out.read_text())
    # each script at each batch size, the MLP's minimal loop right after it at 10
    assert [(r["script"], r["batch_size"], r["minimal"]) for r in rows] == [
        ("mlp_numpy.py", 10, False), ("minimal_numpy.py", 10, True), ("mlp_numpy.py", 100, False),
        ("conv_torch.py", 10, False), ("conv_torch.py", 100, False)]
    for r in rows:
        assert r["returncode"] == 0 and r["sweep"] and r["device"] == "cpu" and r["machine"] == compare.MACHINE
        assert r["train_size"] == 400 and r["steps"] == 400 // r["batch_size"]
        assert "--batch-size" in r["flags"] and ["--lr", str(compare.SWEEP_LR)] == r["flags"][2:4]
        assert len(r["train_seconds"]) == compare.SWEEP_EPOCHS  # bench/timed.py's lines, one an epoch
        low, high = r["step_us_range"]
        assert low <= r["step_us"] <= high
        assert r["images_per_s"] == pytest.approx(r["train_size"] / (r["step_us"] * r["steps"] / 1e6), rel=1e-3)
    for r in rows[:1] + rows[2:]:  # the fakes: each step sleeps a + c*b (sleep overshoots, never less)
        assert r["step_us"] >= A_US + C_US * r["batch_size"]
        assert len(r["loss"]) == compare.SWEEP_EPOCHS  # the script's own lines are read as ever
    fitted = compare.fits(rows)
    assert set(fitted) == {"mlp_numpy.py", "conv_torch.py"}  # the minimal loop is not fitted
    for f in fitted.values():  # two points: the line through both
        assert f["a_us"] == pytest.approx(A_US, rel=0.3) and f["c_us"] == pytest.approx(C_US, rel=0.3)
        assert f["off"] == {10: 1.0, 100: 1.0}
    table = result.stdout.splitlines()
    assert table[0].startswith("| script | a: µs/step | c: µs/image | images/s at 10 | images/s at 100 |")
    assert table[2].startswith(f"| mlp_numpy.py | {fitted['mlp_numpy.py']['a_us']} | {fitted['mlp_numpy.py']['c_us']} |")
    assert "| numpy | 10 |" in result.stdout  # the script against its minimal loop
    assert table[-1].startswith("machine: ") and "device: cpu" in table[-1]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    again = run("compare.py", "--load", str(out))
    assert again.returncode == 0 and again.stdout == result.stdout


def test_the_fit_finds_a_and_c_and_never_goes_below_zero():
    a, c = compare.fit([(1, 12e-6), (10, 30e-6), (100, 210e-6), (1000, 2010e-6)])
    assert a == pytest.approx(10e-6, rel=0.01) and c == pytest.approx(2e-6, rel=0.01)
    a, c = compare.fit([(1, 1e-6), (10, 20e-6), (100, 200e-6)])  # no overhead to find: a would be < 0
    assert a == 0 and c > 0
    a, c = compare.fit([(1, 9e-6), (10, 8e-6), (100, 8e-6)])  # slower at batch 1: c would be < 0
    assert c == 0 and 8e-6 < a < 9e-6


def test_points_off_their_fit_are_named():
    rows = [{"script": "mlp_x.py", "batch_size": b, "step_us": t, "minimal": False, "images_per_s": b / t * 1e6,
             "first_epoch_extra_s": 0.5, "machine": compare.MACHINE, "device": "cpu"}
            for b, t in ((1, 10.0), (10, 20.0), (100, 110.0), (1000, 3000.0))]
    fitted = compare.fits(rows)["mlp_x.py"]
    assert fitted["off"][1000] > 1.1 or fitted["off"][1] > 1.1  # a straight line misses one end
    worst = max(fitted["off"].items(), key=lambda kv: abs(np.log(kv[1])))
    table = compare.sweep_markdown(rows)
    assert f"{worst[1]:.2f} at {worst[0]}" in table
    assert f"furthest from its fit: mlp_x.py at batch {worst[0]}, {worst[1]:.2f} times a + c*b" in table
    assert "| mlp_x.py | " + " | ".join(f"{fitted['off'][b]:.2f}" for b in (1, 10, 100, 1000)) + " |" in table


def test_the_sweep_trains_enough_and_not_too_much():
    sizes = {b: compare.sweep_train_size(b) for b in (1, 10, 100, 1000, 5000, 10000)}
    assert sizes == {1: 500, 10: 5000, 100: 10000, 1000: 10000, 5000: 50000, 10000: 50000}
    assert compare.sweep_train_size(1000, most=400) == 400  # --train-size caps it


@pytest.mark.parametrize("flags", [["--batch-size", "10,0"], ["--batch-size", "10,10"], ["--batch-size", "a"],
                                   ["--batch-size", "1,10", "--jobs", "2"], ["--batch-size", "1,10", "--epochs", "3"],
                                   ["--batch-size", "1,10", "--out", "s.csv"], ["--lr", "-1"]])
def test_sweep_flag_errors_exit_2(flags):
    result = run("compare.py", *flags)
    assert result.returncode == 2 and "error:" in result.stderr


def test_one_batch_size_and_lr_are_handed_to_the_scripts(tmp_path):
    echo = tmp_path / "mlp_echo.py"
    echo.write_text("import sys\nprint(' '.join(sys.argv[1:]), file=sys.stderr)\n"
                    "print('epoch  1/1  loss 1.0000  val accuracy 0.5000  (0.1 s)')\nprint('test accuracy 0.5000')\n")
    result = run("compare.py", str(echo), "--batch-size", "100", "--lr", "0.5", "--out", str(tmp_path / "r.json"))
    assert result.returncode == 0, result.stderr
    assert json.loads((tmp_path / "r.json").read_text())[0]["flags"] == ["--batch-size", "100", "--lr", "0.5"]


@pytest.mark.slow
def test_a_sweep_of_two_real_scripts(real_data_dir, tmp_path):
    out = tmp_path / "sweep.json"
    result = run("compare.py", "mlp_numpy.py", "conv_numpy.py", "--batch-size", "10,100",
                 "--train-size", "300", "--out", str(out))
    assert result.returncode == 0, result.stderr
    rows = json.loads(out.read_text())
    assert [(r["script"], r["batch_size"]) for r in rows] == [
        ("mlp_numpy.py", 10), ("minimal_numpy.py", 10), ("mlp_numpy.py", 100), ("conv_numpy.py", 10), ("conv_numpy.py", 100)]
    for r in rows:
        assert r["returncode"] == 0 and len(r["train_seconds"]) == compare.SWEEP_EPOCHS and r["step_us"] > 0
        assert r["versions"]["numpy"] and r["device"] == "cpu"
    for r in (rows[0], rows[2], rows[3], rows[4]):  # trained, and timed apart from the validation
        assert len(r["val_accuracy"]) == compare.SWEEP_EPOCHS and r["test_accuracy"] is not None
        assert sum(r["train_seconds"]) < sum(r["epoch_seconds"]) + 0.1 * len(r["epoch_seconds"])
    fitted = compare.fits(rows)
    assert fitted["conv_numpy.py"]["c_us"] > fitted["mlp_numpy.py"]["c_us"] > 0  # a conv image costs more


def test_timed_py_needs_a_script():
    result = run("bench/timed.py")
    assert result.returncode != 0 and "usage: python bench/timed.py SCRIPT.py" in result.stderr
