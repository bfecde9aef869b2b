"""Deep conv net in Keras 3: conv8 5x5 relu -> conv16 5x5 relu -> maxpool 2x2 -> fc100 relu -> softmax10, SGD.

With the defaults (30 epochs, batch 10, lr 0.04, seed 0): test accuracy 0.9913.
"""
# /// script
# requires-python = ">=3.11,<3.14"  # TensorFlow 2.21 has wheels for 3.10-3.13
# dependencies = [
#   "numpy==2.4.6",
#   "requests==2.34.2",
#   "tqdm==4.70.1",
#   "threadpoolctl==3.8.0",
#   "keras==3.15.1",
#   "tensorflow==2.21.0",
# ]
# ///
import mnist  # mnist.py, beside this file: the data and what every script shares
import os

import keras

INPUT = (28, 28, 1)  # one image as the network takes it: (height, width, channels)
CLASSES = 10  # the outputs, one per class: labels are 0..CLASSES-1

# fit's steps per call to the compiled train step: many keep Python out of the loop, but the
# torch backend runs one step per call only
STEPS = 1 if keras.backend.backend() == "torch" else 1000


def build_model(params):
    model = keras.Sequential([
        keras.Input(INPUT),
        keras.layers.Conv2D(8, 5, activation="relu"),     # (n, 24, 24, 8)
        keras.layers.Conv2D(16, 5, activation="relu"),    # (n, 20, 20, 16)
        keras.layers.MaxPooling2D(2),                     # (n, 10, 10, 16)
        keras.layers.Flatten(),                           # (n, 1600)
        keras.layers.Dense(100, activation="relu"),       # (n, 100)
        keras.layers.Dense(CLASSES, activation="softmax"),  # (n, 10)
    ])
    model.set_weights(params)  # kernels are (h, w, in, out) and (in, out): canonical as they are
    return model


def train_epoch(model, x, y, batch_size, epoch):
    # x is already in this epoch's batch order: fit must not shuffle it. One epoch per call,
    # numbered from initial_epoch as callbacks and learning-rate schedules count them
    history = model.fit(x, y, batch_size=batch_size, initial_epoch=epoch - 1, epochs=epoch,
                        shuffle=False, verbose=0)
    return history.history["loss"][0]           # the mean over the epoch, weighted by batch size


def predict(model, x):
    return model.predict(x, batch_size=1000, verbose=0).argmax(axis=1)


def main():
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")  # batches of 10 are too small to split: threads
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")  # only add overhead (TF reads these at its first op)
    args = mnist.parse_args(__doc__, lr=mnist.DEEP_LR)
    (x_train, y_train), (x_val, y_val), (x_test, y_test) = mnist.load_data(shape=INPUT, layout="hwc", dataset=args.dataset)
    h, w, c = INPUT
    flat = (h - 8) // 2 * ((w - 8) // 2) * 16  # the pooled map's size, flat (10 * 10 * 16)
    params = mnist.init_weights(args.seed, [(5, 5, c, 8), (5, 5, 8, 16), (flat, 100), (100, CLASSES)])
    model = build_model(params)
    model.compile(optimizer=keras.optimizers.SGD(args.lr), loss="sparse_categorical_crossentropy",
                  steps_per_execution=STEPS)
    for epoch, (x, y) in mnist.epochs(args, x_train, y_train, CLASSES):  # this epoch's batch order
        loss = train_epoch(model, x, y, args.batch_size, epoch)
        mnist.report(args, epoch, loss, mnist.accuracy(predict(model, x_val), y_val))
    mnist.finish(args, mnist.accuracy(predict(model, x_test), y_test), model.get_weights())


if __name__ == "__main__":
    mnist.run(main)  # what a run needs: one-line errors, Ctrl-C, BLAS threads
