"""keras.io's "Simple MNIST convnet", on Keras 3 or on gradkit.

Follows the program of keras-team/keras-io ``examples/vision/mnist_convnet.py`` (commit
02cfe8063b505adc073986c91729f22039f77ad0, whose imports are tf.keras's; Keras 3's
``import keras`` takes their place) step for step: MNIST scaled to [0, 1] with a
channel axis, one-hot labels from ``keras.utils.to_categorical``, the Sequential
convnet (Conv2D 32 and 64 of 3x3 with ReLU, each followed by 2x2 max pooling, Flatten,
Dropout 0.5, a softmax Dense of 10), ``model.summary()``, ``compile`` with
``categorical_crossentropy``, ``"adam"`` and ``["accuracy"]``, ``fit`` with batch 128
and ``validation_split=0.1``, and ``evaluate`` on the test set. The original trains
15 epochs on all 60,000 images and reports about 99% test accuracy. It is written for
this repository (the example's text is not copied); every place where it does
something other than the original says so with ``# gradkit:``.

    KERAS_BACKEND=torch python examples/keras/mnist_convnet.py   # Keras 3
    python examples/keras/mnist_convnet.py --gradkit              # gradkit (or GRADKIT=1)

Both read MNIST offline through gradkit's loader (``$GRADKIT_DATA``, the same arrays
``keras.datasets.mnist.load_data()`` downloads). The last line printed is
``RESULT {json}``: the test loss and accuracy and the ``fit`` history.
"""

# ---- gradkit: header (not in the original): library switch and size knobs ----------
import argparse
import json
import os

import numpy as np

from gradkit.keras.datasets import mnist  # offline MNIST for either library

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--gradkit", action="store_true", help="run on gradkit, not Keras")
parser.add_argument("--train-size", type=int, default=60000, help="first N training images")
parser.add_argument("--test-size", type=int, default=10000, help="first N test images")
parser.add_argument("--epochs", type=int, default=15)
parser.add_argument("--verbose", default="auto", help="fit's verbose: auto, 0, 1 or 2")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

if args.gradkit or os.environ.get("GRADKIT") == "1":
    from gradkit import keras
    from gradkit.keras import layers
else:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras
    from keras import layers
# ---- end of header ------------------------------------------------------------------

keras.utils.set_random_seed(args.seed)  # gradkit: seeded so that runs can be compared
verbose = args.verbose if args.verbose == "auto" else int(args.verbose)  # gradkit: knob

# Model / data parameters
num_classes = 10
input_shape = (28, 28, 1)

# Load the data and split it between train and test sets
(x_train, y_train), (x_test, y_test) = mnist.load_data()  # gradkit: was keras.datasets.mnist
x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]  # gradkit: knob
x_test, y_test = x_test[: args.test_size], y_test[: args.test_size]  # gradkit: knob

# Scale images to the [0, 1] range
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
# Give the images their channel axis: (28, 28, 1)
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
print(x_test.shape[0], "test samples")

# class indices -> one-hot rows
y_train = keras.utils.to_categorical(y_train, num_classes)
y_test = keras.utils.to_categorical(y_test, num_classes)

# ---- the model ----------------------------------------------------------------------
model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()

# ---- training -----------------------------------------------------------------------
batch_size = 128
epochs = args.epochs  # gradkit: knob (the original: 15)

model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
history = model.fit(  # gradkit: the History is kept for RESULT
    x_train,
    y_train,
    batch_size=batch_size,
    epochs=epochs,
    validation_split=0.1,
    verbose=verbose,  # gradkit: knob (the original leaves fit's default, "auto")
)

# ---- evaluation ---------------------------------------------------------------------
score = model.evaluate(x_test, y_test, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])

# gradkit: the result, machine-readable, for tests/programs/test_keras_examples.py
result = {
    "test_loss": float(score[0]),
    "test_accuracy": float(score[1]),
    "history": {k: [float(v) for v in vs] for k, vs in history.history.items()},
}
print("RESULT " + json.dumps(result))
