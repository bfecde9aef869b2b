"""compare.py: the table, the rows it writes, the figure, failures."""
import json
import os

import pytest

from conftest import ROOT, run


@pytest.mark.slow
def test_compare_tables_writes_and_plots(real_data_dir, tmp_path):
    out, png = tmp_path / "r.json", tmp_path / "r.png"
    result = run("compare.py", "mlp_numpy.py", "conv_numpy.py", "--epochs", "2",
                 "--train-size", "500", "--seed", "1", "--out", str(out), "--plot", str(png))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "| script | test accuracy | wall time (s) | peak RSS (MiB) |"
    assert lines[2].startswith("| mlp_numpy.py | 0.") and lines[3].startswith("| conv_numpy.py | 0.")
    rows = json.loads(out.read_text())
    assert [r["script"] for r in rows] == ["mlp_numpy.py", "conv_numpy.py"]
    for r in rows:
        assert len(r["val_accuracy"]) == 2 and 0 < r["test_accuracy"] <= 1
        assert len(r["loss"]) == 2 and 0 < r["loss"][1] < r["loss"][0] < 3  # it learns
        assert r["seconds"] > 0 and r["peak_mib"] > 50 and r["returncode"] == 0
        assert len(r["elapsed"]) == 2 and 0 < r["elapsed"][0] <= r["elapsed"][1] <= r["seconds"]  # 0.1 s steps
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
    assert header == "script,test_accuracy,seconds,peak_mib,returncode"
    assert row.startswith("mlp_numpy.py,0.")


def test_compare_reports_a_failing_script(tmp_path):
    bad = tmp_path / "mlp_broken.py"
    bad.write_text("import sys\nprint('epoch  1/1  loss 1.2345  val accuracy 0.5000  (0.1 s)')\n"
                   "sys.exit(3)\n")
    result = run("compare.py", str(bad))
    assert result.returncode == 1
    assert "| mlp_broken.py | failed (exit 3) |" in result.stdout


@pytest.mark.parametrize("flags", [["no_such_script.py"], ["--out", "r.txt"], ["--plot", "r.jpg"],
                                   ["--epochs", "0"], ["--dataset", "cifar"]])
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
    assert len(scripts) == 22 and scripts[-1] == "conv_deep_torch.py"
