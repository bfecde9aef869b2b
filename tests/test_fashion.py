"""Fashion-MNIST through the same loader and scripts (--dataset fashion)."""
import os

import numpy as np
import pytest

import mnist
from conftest import curve, run


@pytest.mark.slow
def test_fashion_loads_verified_with_the_same_split(fashion_dir):
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(
        shape=(28, 28, 1), dataset="fashion")
    assert x_train.shape == (50000, 28, 28, 1) and len(x_val) == 10000 and len(x_test) == 10000
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() == 1
    assert np.bincount(y_test).tolist() == [1000] * 10  # Fashion-MNIST's test set is balanced
    assert x_test[:, :, :, 0].mean() > 0.2  # MNIST's digits cover much less of the image


def test_fashion_has_its_own_directory_and_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("FASHION_MNIST_DATA_DIR", raising=False)
    assert mnist.data_dir("fashion").endswith(os.path.join("data", "fashion"))
    monkeypatch.delenv("MNIST_DATA_DIR", raising=False)
    assert mnist.data_dir("mnist").endswith(os.path.join("data", "mnist"))
    monkeypatch.setenv("FASHION_MNIST_DATA_DIR", str(tmp_path))
    assert mnist.data_dir("fashion") == str(tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("script", ["mlp_theano.py", "conv_tensorflow.py"])
def test_scripts_learn_fashion(fashion_dir, script):
    accs = curve(run(script, "--dataset", "fashion", "--epochs", "1", "--train-size", "10000"))
    assert 0.65 <= accs[0] < 0.95  # learns, and is not MNIST (where one epoch gives more)


@pytest.mark.slow
def test_predict_names_fashion_classes(fashion_dir, tmp_path):
    weights = tmp_path / "fashion.npz"
    assert run("mlp_numpy.py", "--dataset", "fashion", "--epochs", "1", "--train-size", "5000",
               "--save", str(weights)).returncode == 0
    from PIL import Image
    x = mnist.load_data(dataset="fashion", shape=(28, 28, 1))[2][0]
    image = tmp_path / "item.png"
    Image.fromarray((x[1, :, :, 0] * 255).astype(np.uint8)).save(image)  # a pullover
    result = run("predict.py", str(weights), str(image))
    assert result.returncode == 0, result.stderr
    assert any(name in result.stdout for name in ["Pullover", "Coat", "Shirt", "T-shirt/top"])
