"""The loader against local mirrors: every failure ends in a recovery or one clear error,
and never leaves a partial or unverified file in the data directory."""
import gzip
import os
import subprocess
import sys

import numpy as np
import pytest

import mnist
from conftest import ROOT

NAMES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    folder = tmp_path / "data"
    monkeypatch.setenv("MNIST_DATA_DIR", str(folder))
    monkeypatch.setattr(mnist, "TIMEOUT", (2, 1.0))  # a stall (1.5 s) times out; a loaded machine does not
    return folder


def use(monkeypatch, *servers):
    monkeypatch.setenv("MNIST_MIRROR", ",".join(s.url for s in servers))


def assert_clean_and_correct(data_dir, synthetic):
    """Exactly the four files, each verified, and nothing else (no temporary file)."""
    assert sorted(os.listdir(data_dir)) == sorted(NAMES)
    for name in NAMES:
        sha, dims = mnist.DATASETS["mnist"]["files"][name]
        np.testing.assert_array_equal(mnist.read_idx(data_dir / name, sha, dims), synthetic[name][1])


def test_downloads_verifies_and_splits(data_dir, mirrors, synthetic, monkeypatch):
    use(monkeypatch, mirrors[0])
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(validation_size=15)
    assert_clean_and_correct(data_dir, synthetic)
    images = synthetic["train-images-idx3-ubyte.gz"][1].reshape(40, 784) / np.float32(255)
    np.testing.assert_allclose(x_train, images[:25])
    np.testing.assert_allclose(x_val, images[25:])
    np.testing.assert_array_equal(y_val, synthetic["train-labels-idx1-ubyte.gz"][1][25:])
    assert x_test.shape == (10, 784) and y_test.dtype == np.int64


def test_cached_files_are_not_downloaded_again(data_dir, mirrors, synthetic, monkeypatch):
    use(monkeypatch, mirrors[0])
    mnist.load_data(validation_size=10)
    assert len(mirrors[0].requests) == 4
    mnist.load_data(validation_size=10)
    assert len(mirrors[0].requests) == 4


@pytest.mark.parametrize("failure", [404, "truncated", "wrong", "stall", "cut"])
def test_first_mirror_fails_second_serves(data_dir, mirrors, synthetic, monkeypatch, failure):
    mirrors[0].plan = {name: [failure] for name in NAMES}
    use(monkeypatch, *mirrors)
    mnist.load_data(validation_size=10)
    assert mirrors[0].requests == NAMES and mirrors[1].requests == NAMES
    assert_clean_and_correct(data_dir, synthetic)


def test_server_error_then_success_on_the_same_mirror_list(data_dir, mirrors, synthetic, monkeypatch):
    # the first request for a file gets a 500; the mirror list names the same server twice
    mirrors[0].plan = {name: [500, "ok"] for name in NAMES}
    use(monkeypatch, mirrors[0], mirrors[0])
    mnist.load_data(validation_size=10)
    assert mirrors[0].requests == [n for name in NAMES for n in (name, name)]
    assert_clean_and_correct(data_dir, synthetic)


def test_corrupted_cached_file_is_reported_deleted_and_downloaded_again(
        data_dir, mirrors, synthetic, monkeypatch, capsys):
    use(monkeypatch, mirrors[0])
    mnist.load_data(validation_size=10)
    path = data_dir / "t10k-images-idx3-ubyte.gz"
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[100] ^= 0xFF  # one flipped pixel in an otherwise valid gzip
    path.write_bytes(gzip.compress(bytes(raw)))
    mnist.load_data(validation_size=10)
    assert mirrors[0].requests[4:] == ["t10k-images-idx3-ubyte.gz"]
    assert "does not match" in capsys.readouterr().err
    assert_clean_and_correct(data_dir, synthetic)


def test_every_mirror_failing_is_one_clear_error(data_dir, mirrors, synthetic, monkeypatch):
    mirrors[0].plan = {name: [404] for name in NAMES}
    mirrors[1].plan = {name: ["wrong"] for name in NAMES}
    use(monkeypatch, *mirrors)
    with pytest.raises(mnist.DataError) as error:
        mnist.load_data(validation_size=10)
    message = str(error.value)
    assert mirrors[0].url in message and "404" in message
    assert mirrors[1].url in message and "SHA-256" in message
    assert str(data_dir) in message and all(name in message for name in NAMES)
    assert os.listdir(data_dir) == []
    lines = message.splitlines()  # one line a mirror, each naming its failure in a few words
    assert lines[0] == f"could not download {NAMES[0]} from any mirror:"
    assert lines[1] == f"  {mirrors[0].url}: HTTP 404 Not Found"
    assert lines[2] == f"  {mirrors[1].url}: SHA-256 of the decompressed content does not match"
    assert lines[3] == (f"To run offline, copy the four files into {data_dir} (or set MNIST_DATA_DIR to a "
                        "directory that holds them),")
    assert lines[4] == "  or set MNIST_MIRROR to mirrors that serve them (base URLs, comma-separated)."
    assert lines[5] == f"  The files: {', '.join(NAMES)}"
    assert all(len(line) <= 200 for line in lines)


def test_a_stalled_mirror_is_one_short_line(data_dir, mirrors, synthetic, monkeypatch):
    mirrors[0].plan = {name: ["stall"] for name in NAMES}
    use(monkeypatch, mirrors[0])
    with pytest.raises(mnist.DataError) as error:
        mnist.load_data(validation_size=10)
    assert str(error.value).splitlines()[1] == f"  {mirrors[0].url}: timed out"


def test_unreachable_mirrors_exit_nonzero_without_a_traceback(tmp_path):
    # real checksums, nothing listening: the script itself must fail cleanly
    env = dict(os.environ, MNIST_DATA_DIR=str(tmp_path), MNIST_MIRROR="http://127.0.0.1:9/")
    result = subprocess.run([sys.executable, "mlp_numpy.py", "--epochs", "1"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "error: could not download train-images-idx3-ubyte.gz" in result.stderr
    assert "http://127.0.0.1:9/" in result.stderr and str(tmp_path) in result.stderr
    assert os.listdir(tmp_path) == []


def test_offline_every_mirror_is_one_short_line_naming_host_and_reason(tmp_path):
    """As on a machine without network: a refused connection and a name that does not resolve
    (.invalid never does) are a few words each, not urllib3's chain, and the advice names the
    three ways on."""
    env = dict(os.environ, MNIST_DATA_DIR=str(tmp_path), MNIST_MIRROR="http://127.0.0.1:9/,http://mnist.invalid/x/")
    result = subprocess.run([sys.executable, "mlp_numpy.py", "--epochs", "1"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    start = lines.index("error: could not download train-images-idx3-ubyte.gz from any mirror:")
    assert lines[start + 1:start + 3] == ["  http://127.0.0.1:9/: connection refused",
                                          "  http://mnist.invalid/x/: name resolution failed"]
    advice = "\n".join(lines[start + 3:])
    assert all(name in advice for name in ("MNIST_MIRROR", "MNIST_DATA_DIR", "copy the four files", str(tmp_path)))
    assert all(len(line) <= 200 for line in lines)
    assert os.listdir(tmp_path) == []


def test_valid_files_in_a_read_only_directory_are_used_as_they_are(
        data_dir, mirrors, synthetic, monkeypatch):
    use(monkeypatch, mirrors[0])
    mnist.load_data(validation_size=10)
    before = {n: os.stat(data_dir / n).st_mtime_ns for n in NAMES}
    os.chmod(data_dir, 0o555)
    try:
        monkeypatch.setenv("MNIST_MIRROR", "http://127.0.0.1:9/")  # a download would fail
        mnist.load_data(validation_size=10)
    finally:
        os.chmod(data_dir, 0o755)
    assert {n: os.stat(data_dir / n).st_mtime_ns for n in NAMES} == before


def test_wrong_idx_header_is_rejected(tmp_path):
    from conftest import idx_bytes
    import hashlib
    raw = idx_bytes(np.zeros((3, 28, 28)))
    path = tmp_path / "f.gz"
    path.write_bytes(gzip.compress(raw))
    sha = hashlib.sha256(raw).hexdigest()
    assert mnist.read_idx(path, sha, (3, 28, 28)).shape == (3, 28, 28)
    with pytest.raises(ValueError, match="IDX header"):
        mnist.read_idx(path, sha, (4, 28, 28))
    with pytest.raises(ValueError, match="IDX header"):
        mnist.read_idx(path, sha, (3,))


def test_load_data_rejects_bad_arguments(data_dir, mirrors, monkeypatch):
    use(monkeypatch, mirrors[0])
    with pytest.raises(ValueError, match="shape must hold an image's 784 pixels"):
        mnist.load_data(shape=(28, 29))
    with pytest.raises(ValueError, match="dataset"):
        mnist.load_data(dataset="cifar")
    with pytest.raises(ValueError, match="validation_size"):
        mnist.load_data(validation_size=41)


@pytest.mark.parametrize("umask,mode", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_downloaded_files_get_the_umask_permissions(data_dir, mirrors, monkeypatch, umask, mode):
    """Not the private 0600 of a temporary file: a data directory shared by several users
    must stay readable by them."""
    use(monkeypatch, mirrors[0])
    old = os.umask(umask)
    try:
        mnist.load_data(validation_size=10)
    finally:
        os.umask(old)
    assert {name: (data_dir / name).stat().st_mode & 0o777 for name in NAMES} == dict.fromkeys(NAMES, mode)


# --- defaults, messages and the progress bar (what mutation testing asked for) --------------------

def test_the_default_dataset_is_mnist_and_its_folder_is_beside_the_code(monkeypatch, tmp_path):
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)
    monkeypatch.delenv("MNIST_MIRROR", raising=False)
    monkeypatch.chdir(tmp_path)  # not the working directory's data/
    assert mnist.data_dir() == os.path.join(ROOT, "data", "mnist")
    assert mnist.mirrors() == mnist.DATASETS["mnist"]["mirrors"]
    monkeypatch.setenv("MNIST_MIRROR", "")
    assert mnist.mirrors() == mnist.DATASETS["mnist"]["mirrors"]


def test_mirror_urls_are_trimmed_and_end_in_one_slash(monkeypatch):
    monkeypatch.setenv("MNIST_MIRROR", " http://a/x// , ,http://b ,http://c/X/")
    assert mnist.mirrors() == ["http://a/x/", "http://b/", "http://c/X/"]


def test_fetch_defaults_to_mnist_and_sends_its_user_agent(data_dir, mirrors, synthetic, monkeypatch, capsys):
    use(monkeypatch, mirrors[0])
    np.testing.assert_array_equal(mnist.fetch(NAMES[1]), synthetic[NAMES[1]][1])
    assert capsys.readouterr().err == f"downloading {mirrors[0].url}{NAMES[1]}\n"
    assert mirrors[0].agents == [mnist.HEADERS["User-Agent"]]


def test_load_data_splits_into_float32_images_and_integer_labels(data_dir, mirrors, synthetic, monkeypatch):
    use(monkeypatch, mirrors[0])
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=(28, 28, 1), validation_size=0)
    labels = synthetic[NAMES[1]][1]
    assert x_train.shape == (40, 28, 28, 1) and x_train.dtype == np.float32 and len(x_val) == 0
    assert y_train.dtype == np.int64 and y_train.shape == (40,) and y_test.shape == (10,)
    np.testing.assert_array_equal(y_train, labels)
    (x_train, _), (x_val, _), _ = mnist.load_data(validation_size=40)  # all of it for validation
    assert len(x_train) == 0 and len(x_val) == 40
    with pytest.raises(ValueError, match=r"^validation_size must be in 0\.\.40, not 10000$"):
        mnist.load_data()  # the default holds out 10,000 images: too many for 40


def test_load_data_of_another_dataset_fetches_that_dataset(tmp_path, mirrors, synthetic, monkeypatch):
    monkeypatch.setitem(mnist.DATASETS["fashion"], "files", mnist.DATASETS["mnist"]["files"])
    monkeypatch.setenv("FASHION_MNIST_DATA_DIR", str(tmp_path / "fashion"))
    monkeypatch.setenv("FASHION_MNIST_MIRROR", mirrors[1].url)
    monkeypatch.setenv("MNIST_MIRROR", "http://127.0.0.1:9/")  # MNIST's mirror would fail
    mnist.load_data(validation_size=10, dataset="fashion")
    assert sorted(os.listdir(tmp_path / "fashion")) == sorted(NAMES) and len(mirrors[1].requests) == 4


def test_a_truncated_gzip_is_named_as_such(tmp_path):
    path = tmp_path / "f.gz"
    path.write_bytes(gzip.compress(b"x" * 1000)[:20])
    with pytest.raises(ValueError, match=r"^not a complete gzip file \(.+\)$"):
        mnist.read_idx(path, "0" * 64, (1,))


def test_a_data_folder_that_cannot_be_made_or_cleaned_is_one_clear_error(tmp_path, monkeypatch, synthetic):
    (tmp_path / "file").write_text("")
    monkeypatch.setenv("MNIST_DATA_DIR", str(tmp_path / "file" / "data"))
    with pytest.raises(mnist.DataError, match=r"^cannot create the data directory .*file/data: "):
        mnist.fetch(NAMES[0])
    folder = tmp_path / "data"
    (folder / NAMES[0]).mkdir(parents=True)  # "a file" that verification fails and remove cannot delete
    monkeypatch.setenv("MNIST_DATA_DIR", str(folder))
    with pytest.raises(mnist.DataError, match=r"fails verification and cannot be deleted: "):
        mnist.fetch(NAMES[0])


class Terminal:
    """A stderr that says it is a terminal, so that tqdm draws its bar, and keeps the text."""

    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass

    def isatty(self):
        return True


def test_a_download_shows_a_progress_bar_on_a_terminal_and_clears_it(data_dir, mirrors, synthetic, monkeypatch):
    use(monkeypatch, mirrors[0])
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    mnist.fetch(NAMES[0])
    size = len(synthetic[NAMES[0]][0])
    drawn = terminal.text.split("\n", 1)[1]  # after the "downloading ..." line
    # the bar names the file and counts bytes in k of the known total, then is wiped (leave=False)
    assert drawn.startswith(f"\r{NAMES[0]}:   0%|") and f"0.00/{size / 1000:.1f}k [" in drawn
    assert "B/s]" in drawn and drawn.endswith(" \r") and "\n" not in drawn
    plain = Terminal()
    plain.isatty = lambda: False
    monkeypatch.setattr(sys, "stderr", plain)
    os.remove(data_dir / NAMES[1]) if (data_dir / NAMES[1]).exists() else None
    mnist.fetch(NAMES[1])
    assert plain.text == f"downloading {mirrors[0].url}{NAMES[1]}\n"  # no bar in a log file


def test_a_mirror_that_sends_no_length_still_serves(data_dir, mirrors, synthetic, monkeypatch):
    mirrors[0].plan = {name: ["no-length"] for name in NAMES}
    use(monkeypatch, mirrors[0])
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    mnist.fetch(NAMES[0])
    np.testing.assert_array_equal(mnist.read_idx(data_dir / NAMES[0], *mnist.DATASETS["mnist"]["files"][NAMES[0]]),
                                  synthetic[NAMES[0]][1])
    assert f"\r{NAMES[0]}: 0.00B [" in terminal.text  # no total: a count, not a percentage
