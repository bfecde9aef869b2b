"""The real MNIST files (found through MNIST_DATA_DIR): split, order, ranges, dtypes, shapes."""
import gzip
import os

import numpy as np
import pytest

import mnist

pytestmark = pytest.mark.slow  # real data: each load decompresses and verifies 55 MB


@pytest.fixture(scope="module")
def official(request):
    """The raw official arrays, parsed here independently of the loader."""
    folder = request.getfixturevalue("real_data_dir")

    def read(name, offset):
        with gzip.open(os.path.join(folder, name)) as f:
            return np.frombuffer(f.read(), np.uint8, offset=offset)
    return {"train_x": read("train-images-idx3-ubyte.gz", 16).reshape(60000, 784),
            "train_y": read("train-labels-idx1-ubyte.gz", 8),
            "test_x": read("t10k-images-idx3-ubyte.gz", 16).reshape(10000, 784),
            "test_y": read("t10k-labels-idx1-ubyte.gz", 8)}


@pytest.fixture(scope="module")
def flat(real_data_dir):
    return mnist.load_data()


def test_split_sizes_and_order(flat, official):
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = flat
    assert [len(x_train), len(x_val), len(x_test)] == [50000, 10000, 10000]
    assert [len(y_train), len(y_val), len(y_test)] == [50000, 10000, 10000]
    # validation = the LAST 10k of the official training file, in file order
    np.testing.assert_array_equal(x_val, official["train_x"][50000:] / np.float32(255))
    np.testing.assert_array_equal(y_val, official["train_y"][50000:])
    np.testing.assert_array_equal(x_train, official["train_x"][:50000] / np.float32(255))
    np.testing.assert_array_equal(y_train, official["train_y"][:50000])
    np.testing.assert_array_equal(y_test, official["test_y"])
    np.testing.assert_array_equal(x_test, official["test_x"] / np.float32(255))


def test_values_and_dtypes(flat):
    for x, y in flat:
        assert x.dtype == np.float32 and y.dtype == np.int64
        assert x.min() == 0.0 and x.max() == 1.0
        assert set(np.unique(y)) == set(range(10))


def test_label_counts_are_the_official_ones(flat):
    assert np.bincount(flat[2][1]).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


@pytest.mark.parametrize("shape", [(784,), (1, 28, 28), (28, 28, 1)])
def test_each_shape(real_data_dir, flat, shape):
    (x_train, _), (x_val, _), (x_test, _) = mnist.load_data(shape=shape)
    assert x_train.shape == (50000, *shape) and x_val.shape == (10000, *shape)
    assert x_test.shape == (10000, *shape)
    np.testing.assert_array_equal(x_test.reshape(10000, 784), flat[2][0])


def test_integer_labels_and_validation_size(real_data_dir, flat):
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(validation_size=0)
    assert len(x_train) == 60000 and len(x_val) == 0 and len(y_val) == 0
    assert y_train.dtype == np.int64 and y_train.shape == (60000,)
    assert set(np.unique(y_train)) == set(range(10))
    np.testing.assert_array_equal(y_test, flat[2][1])
