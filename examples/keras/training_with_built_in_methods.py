"""keras.io's guide "Training & evaluation with the built-in methods", on Keras 3 or on
gradkit.

Follows the guide's program, keras-team/keras-io ``guides/training_with_built_in_methods.py``
in its Keras 3 version (last modified 2023/06/25; the copy read is the fork
Xcoke919/keras-io at commit 67e2c7062095bcae4746153831a1ac547abb9b42, as the snapshot
of keras-team/keras-io at hand, ad4fc805f5e1a4a4c0bcdd416aa9feac6608fb6c, still holds
the tf.keras version) section by section, with the guide's models, ``compile`` and
``fit`` arguments: the functional MNIST model trained with ``validation_data`` and
scored with ``evaluate``/``predict``; ``compile`` with objects and with strings; a
custom loss as a function and as a ``keras.losses.Loss`` subclass; the custom metric
``CategoricalTruePositives``; a layer calling ``add_loss``; the ``LogisticEndpoint``
model compiled without a loss and fed a dict; ``validation_split``; a
``keras.utils.PyDataset`` and a PyTorch ``DataLoader``; ``class_weight`` and
``sample_weight``; the two-input, two-output model with losses, metrics and
``loss_weights`` as lists and dicts and data as lists and dicts; ``EarlyStopping``, a
custom ``LossHistory`` callback, ``ModelCheckpoint`` (best only, and every 100 batches
with restore-or-create), and a learning-rate schedule. It is written for this
repository (the guide's text is not copied); every place where it does something
other than the guide says so with ``# gradkit:``.

Left out, on both libraries: the ``tf.data.Dataset`` sections (TensorFlow is not a
dependency of either run), ``keras.utils.plot_model`` (needs pydot and Graphviz) and
the ``TensorBoard`` callback (needs TensorFlow's summary writer). The guide's PyTorch
``DataLoader`` section runs on gradkit with ``import gradkit as torch``, the import
line change that gradkit's PyTorch side promises.

    KERAS_BACKEND=torch python examples/keras/training_with_built_in_methods.py  # Keras 3
    python examples/keras/training_with_built_in_methods.py --gradkit             # gradkit

Run it in a scratch directory: like the guide, it writes ``mymodel_{epoch}.keras`` and
``./ckpt``. The last line printed is ``RESULT {json}``: each section's numbers, and a
few checks that are not in the guide (marked ``# gradkit:``) which recompute the
custom loss and metric values with NumPy from ``model.predict``.
"""

# ---- gradkit: header (not in the guide): library switch and size knobs --------------
import argparse
import json
import os

import numpy as np

from gradkit.keras.datasets import mnist  # offline MNIST for either library

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--gradkit", action="store_true", help="run on gradkit, not Keras")
parser.add_argument("--train-size", type=int, default=50000, help="first N of the 50,000")
parser.add_argument("--val-size", type=int, default=10000, help="first N of the 10,000")
parser.add_argument("--test-size", type=int, default=10000, help="first N of the 10,000")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

if args.gradkit or os.environ.get("GRADKIT") == "1":
    import gradkit as torch  # the guide imports torch for its DataLoader section
    from gradkit import keras
    from gradkit.keras import layers, ops
else:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import torch

    import keras
    from keras import layers, ops
# ---- end of header ------------------------------------------------------------------

keras.utils.set_random_seed(args.seed)  # gradkit: seeded so that runs can be compared
result = {}  # gradkit: each section's numbers, printed as RESULT at the end


def numbers(values):  # gradkit: floats for RESULT from a History or evaluate()
    if isinstance(values, dict):
        return {k: numbers(v) for k, v in values.items()}
    if isinstance(values, (list, tuple)) or np.ndim(values) > 0:
        return [numbers(v) for v in values]
    return float(values)


# ==== A first end-to-end example =====================================================
# A functional model: 784 pixels in, two hidden ReLU layers of 64, 10 softmax outputs.
inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, activation="softmax", name="predictions")(x)

model = keras.Model(inputs=inputs, outputs=outputs)

(x_train, y_train), (x_test, y_test) = mnist.load_data()  # gradkit: was keras.datasets.mnist

# Flatten and scale the images; float labels, as the guide has them
x_train = x_train.reshape(60000, 784).astype("float32") / 255
x_test = x_test.reshape(10000, 784).astype("float32") / 255

y_train = y_train.astype("float32")
y_test = y_test.astype("float32")

# The last 10,000 training images become the validation set
x_val = x_train[-10000:]
y_val = y_train[-10000:]
x_train = x_train[:-10000]
y_train = y_train[:-10000]
x_train, y_train = x_train[: args.train_size], y_train[: args.train_size]  # gradkit: knob
x_val, y_val = x_val[: args.val_size], y_val[: args.val_size]  # gradkit: knob
x_test, y_test = x_test[: args.test_size], y_test[: args.test_size]  # gradkit: knob

model.compile(
    optimizer=keras.optimizers.RMSprop(),  # the optimizer
    loss=keras.losses.SparseCategoricalCrossentropy(),  # what it minimizes
    metrics=[keras.metrics.SparseCategoricalAccuracy()],  # what it reports
)

print("Fit model on training data")
history = model.fit(
    x_train,
    y_train,
    batch_size=64,
    epochs=2,
    # scored on the held-out pairs at the end of every epoch
    validation_data=(x_val, y_val),
)
print(history.history)

print("Evaluate on test data")
results = model.evaluate(x_test, y_test, batch_size=128)
print("test loss, test acc:", results)

# class probabilities for three new images
print("Generate predictions for 3 samples")
predictions = model.predict(x_test[:3])
print("predictions shape:", predictions.shape)
result["end_to_end"] = {  # gradkit: for RESULT
    "history": numbers(history.history),
    "test": numbers(results),
    "predictions_shape": list(predictions.shape),
    "predictions_row_sums": numbers(predictions.sum(axis=1)),
}

# ==== compile(): a loss, metrics and an optimizer ====================================
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
)

# the same by their string names
model.compile(
    optimizer="rmsprop",
    loss="sparse_categorical_crossentropy",
    metrics=["sparse_categorical_accuracy"],
)


def get_uncompiled_model():
    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs)
    return model


def get_compiled_model():
    model = get_uncompiled_model()
    model.compile(
        optimizer="rmsprop",
        loss="sparse_categorical_crossentropy",
        metrics=["sparse_categorical_accuracy"],
    )
    return model


# ==== Custom losses ==================================================================
# 1. a function of (y_true, y_pred): the mean squared error


def custom_mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(), loss=custom_mean_squared_error)

# MSE needs one-hot targets
y_train_one_hot = ops.one_hot(y_train, num_classes=10)
history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1)  # gradkit: kept

# gradkit: check (not in the guide): evaluate() against NumPy on the validation set
y_val_one_hot = np.eye(10, dtype="float32")[y_val.astype(int)]
pred = model.predict(x_val, verbose=0)
result["custom_loss_function"] = {
    "history": numbers(history.history),
    "evaluate": float(model.evaluate(x_val, y_val_one_hot, verbose=0)),
    "numpy": float(np.mean((y_val_one_hot - pred) ** 2)),
}


# 2. a Loss subclass with a parameter: MSE plus a pull of the outputs towards 0.5
class CustomMSE(keras.losses.Loss):
    def __init__(self, regularization_factor=0.1, name="custom_mse"):
        super().__init__(name=name)
        self.regularization_factor = regularization_factor

    def call(self, y_true, y_pred):
        mse = ops.mean(ops.square(y_true - y_pred), axis=-1)
        reg = ops.mean(ops.square(0.5 - y_pred), axis=-1)
        return mse + reg * self.regularization_factor


model = get_uncompiled_model()
model.compile(optimizer=keras.optimizers.Adam(), loss=CustomMSE())

y_train_one_hot = ops.one_hot(y_train, num_classes=10)
history = model.fit(x_train, y_train_one_hot, batch_size=64, epochs=1)  # gradkit: kept

# gradkit: check (not in the guide)
pred = model.predict(x_val, verbose=0)
result["custom_loss_class"] = {
    "history": numbers(history.history),
    "evaluate": float(model.evaluate(x_val, y_val_one_hot, verbose=0)),
    "numpy": float(np.mean((y_val_one_hot - pred) ** 2) + 0.1 * np.mean((0.5 - pred) ** 2)),
}


# ==== Custom metrics =================================================================
# Counts the samples whose highest-scoring class is the label.
class CategoricalTruePositives(keras.metrics.Metric):
    def __init__(self, name="categorical_true_positives", **kwargs):
        super().__init__(name=name, **kwargs)
        self.true_positives = self.add_variable(shape=(), name="ctp", initializer="zeros")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.reshape(ops.argmax(y_pred, axis=1), (-1, 1))
        values = ops.cast(y_true, "int32") == ops.cast(y_pred, "int32")
        values = ops.cast(values, "float32")
        if sample_weight is not None:
            sample_weight = ops.cast(sample_weight, "float32")
            values = ops.multiply(values, sample_weight)
        self.true_positives.assign_add(ops.sum(values))

    def result(self):
        return self.true_positives.value

    def reset_state(self):
        # called at the start of every epoch
        self.true_positives.assign(0.0)


model = get_uncompiled_model()
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(),
    metrics=[CategoricalTruePositives()],
)
history = model.fit(x_train, y_train, batch_size=64, epochs=3)  # gradkit: kept

# gradkit: check (not in the guide). The labels reach update_state as a (batch,) vector
# and the predictions are reshaped to (batch, 1), so `==` broadcasts to (batch, batch):
# in Keras the metric counts, batch by batch, the pairs (i, j) with label i equal to
# prediction j, not the correct samples. NumPy recomputes exactly that.
pred = model.predict(x_val, verbose=0).argmax(axis=1)
pairs = sum(
    float(np.sum(y_val[i : i + 64, None].astype(int) == pred[None, i : i + 64]))
    for i in range(0, len(y_val), 64)
)
result["custom_metric"] = {
    "history": numbers(history.history),
    "evaluate": numbers(model.evaluate(x_val, y_val, batch_size=64, verbose=0)),
    "numpy_pairs": pairs,
    "correct": int(np.sum(pred == y_val)),
}


# ==== Losses that are not a function of (y_true, y_pred): add_loss ===================
class ActivityRegularizationLayer(layers.Layer):
    def call(self, inputs):
        self.add_loss(ops.sum(inputs) * 0.1)
        return inputs  # passes its input through


inputs = keras.Input(shape=(784,), name="digits")
x = layers.Dense(64, activation="relu", name="dense_1")(inputs)

# the regularizing layer in the middle of the model
x = ActivityRegularizationLayer()(x)

x = layers.Dense(64, activation="relu", name="dense_2")(x)
outputs = layers.Dense(10, name="predictions")(x)

model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(
    optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
)

# the loss shown includes the regularization term, so it is much larger
history = model.fit(x_train, y_train, batch_size=64, epochs=1)  # gradkit: kept
result["add_loss"] = numbers(history.history)  # gradkit: for RESULT


# A layer that takes targets and logits, adds its own loss and returns probabilities.
class LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        # the training loss, registered with add_loss()
        loss = self.loss_fn(targets, logits, sample_weights)
        self.add_loss(loss)

        # what predict() returns
        return ops.softmax(logits)


inputs = keras.Input(shape=(3,), name="inputs")
targets = keras.Input(shape=(10,), name="targets")
logits = keras.layers.Dense(10)(inputs)
predictions = LogisticEndpoint(name="predictions")(targets, logits)

model = keras.Model(inputs=[inputs, targets], outputs=predictions)
model.compile(optimizer="adam")  # no loss: the layer provides it

data = {
    "inputs": np.random.random((3, 3)),
    "targets": np.random.random((3, 10)),
}
history = model.fit(data)  # gradkit: kept
result["logistic_endpoint"] = numbers(history.history)  # gradkit: for RESULT

# ==== validation_split: the last 20% of the arrays, taken before shuffling ===========
model = get_compiled_model()
history = model.fit(x_train, y_train, batch_size=64, validation_split=0.2, epochs=1)
result["validation_split"] = numbers(history.history)  # gradkit: for RESULT

# gradkit: the guide's tf.data.Dataset sections (fit/evaluate on a Dataset,
# steps_per_epoch, a validation Dataset, validation_steps) are left out: they need
# TensorFlow, which neither run has.


# ==== A keras.utils.PyDataset ========================================================
class ExamplePyDataset(keras.utils.PyDataset):
    def __init__(self, x, y, batch_size, **kwargs):
        super().__init__(**kwargs)
        self.x = x
        self.y = y
        self.batch_size = batch_size

    def __len__(self):
        return int(np.ceil(len(self.x) / float(self.batch_size)))

    def __getitem__(self, idx):
        batch_x = self.x[idx * self.batch_size : (idx + 1) * self.batch_size]
        batch_y = self.y[idx * self.batch_size : (idx + 1) * self.batch_size]
        return batch_x, batch_y


train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32)
val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32)

model = get_compiled_model()
history = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1)
py_dataset_eval = model.evaluate(val_py_dataset)  # gradkit: kept for RESULT
result["py_dataset"] = {"history": numbers(history.history), "evaluate": numbers(py_dataset_eval)}

# the same with four worker threads
train_py_dataset = ExamplePyDataset(x_train, y_train, batch_size=32, workers=4)
val_py_dataset = ExamplePyDataset(x_val, y_val, batch_size=32, workers=4)

model = get_compiled_model()
history = model.fit(train_py_dataset, batch_size=64, validation_data=val_py_dataset, epochs=1)
result["py_dataset_workers"] = numbers(history.history)  # gradkit: for RESULT


# ==== A PyTorch Dataset and DataLoader ===============================================
class ExampleTorchDataset(torch.utils.data.Dataset):
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, idx):
        return self.x[idx], self.y[idx]


train_torch_dataset = ExampleTorchDataset(x_train, y_train)
val_torch_dataset = ExampleTorchDataset(x_val, y_val)

train_dataloader = torch.utils.data.DataLoader(train_torch_dataset, batch_size=32, shuffle=True)
val_dataloader = torch.utils.data.DataLoader(val_torch_dataset, batch_size=32, shuffle=True)

model = get_compiled_model()
history = model.fit(train_dataloader, batch_size=64, validation_data=val_dataloader, epochs=1)
dataloader_eval = model.evaluate(val_dataloader)  # gradkit: kept for RESULT
result["dataloader"] = {"history": numbers(history.history), "evaluate": numbers(dataloader_eval)}

# ==== Class weights: digit 5 counts twice ============================================
class_weight = {
    0: 1.0,
    1: 1.0,
    2: 1.0,
    3: 1.0,
    4: 1.0,
    # class 5 weighs twice as much as the others
    5: 2.0,
    6: 1.0,
    7: 1.0,
    8: 1.0,
    9: 1.0,
}

print("Fit with class weight")
model = get_compiled_model()
history = model.fit(x_train, y_train, class_weight=class_weight, batch_size=64, epochs=1)
result["class_weight"] = numbers(history.history)  # gradkit: for RESULT

# ==== Sample weights: the same through one weight per sample =========================
sample_weight = np.ones(shape=(len(y_train),))
sample_weight[y_train == 5] = 2.0

print("Fit with sample weight")
model = get_compiled_model()
history = model.fit(x_train, y_train, sample_weight=sample_weight, batch_size=64, epochs=1)
result["sample_weight"] = numbers(history.history)  # gradkit: for RESULT

# gradkit: the guide's Dataset-with-sample-weights example is left out (tf.data).

# ==== Two inputs, two outputs ========================================================
# an image (32, 32, 3) and a time series (None, 10) in; a score (1,) and five class
# probabilities (5,) out
image_input = keras.Input(shape=(32, 32, 3), name="img_input")
timeseries_input = keras.Input(shape=(None, 10), name="ts_input")

x1 = layers.Conv2D(3, 3)(image_input)
x1 = layers.GlobalMaxPooling2D()(x1)

x2 = layers.Conv1D(3, 3)(timeseries_input)
x2 = layers.GlobalMaxPooling1D()(x2)

x = layers.concatenate([x1, x2])

score_output = layers.Dense(1, name="score_output")(x)
class_output = layers.Dense(5, name="class_output")(x)

model = keras.Model(inputs=[image_input, timeseries_input], outputs=[score_output, class_output])

# gradkit: keras.utils.plot_model(model, ...) is left out (needs pydot and Graphviz).

# one loss per output, as a list
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.MeanSquaredError(),
        keras.losses.CategoricalCrossentropy(),
    ],
)

# and metrics per output
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.MeanSquaredError(),
        keras.losses.CategoricalCrossentropy(),
    ],
    metrics=[
        [
            keras.metrics.MeanAbsolutePercentageError(),
            keras.metrics.MeanAbsoluteError(),
        ],
        [keras.metrics.CategoricalAccuracy()],
    ],
)

# the same keyed by the output layers' names
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "score_output": keras.losses.MeanSquaredError(),
        "class_output": keras.losses.CategoricalCrossentropy(),
    },
    metrics={
        "score_output": [
            keras.metrics.MeanAbsolutePercentageError(),
            keras.metrics.MeanAbsoluteError(),
        ],
        "class_output": [keras.metrics.CategoricalAccuracy()],
    },
)

# the score's loss counted twice
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={
        "score_output": keras.losses.MeanSquaredError(),
        "class_output": keras.losses.CategoricalCrossentropy(),
    },
    metrics={
        "score_output": [
            keras.metrics.MeanAbsolutePercentageError(),
            keras.metrics.MeanAbsoluteError(),
        ],
        "class_output": [keras.metrics.CategoricalAccuracy()],
    },
    loss_weights={"score_output": 2.0, "class_output": 1.0},
)

# no loss for the first output: as a list ...
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[None, keras.losses.CategoricalCrossentropy()],
)

# ... or as a dict
model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss={"class_output": keras.losses.CategoricalCrossentropy()},
)

model.compile(
    optimizer=keras.optimizers.RMSprop(1e-3),
    loss=[
        keras.losses.MeanSquaredError(),
        keras.losses.CategoricalCrossentropy(),
    ],
)

# random stand-in data
img_data = np.random.random_sample(size=(100, 32, 32, 3))
ts_data = np.random.random_sample(size=(100, 20, 10))
score_targets = np.random.random_sample(size=(100, 1))
class_targets = np.random.random_sample(size=(100, 5))

# data as lists
history = model.fit([img_data, ts_data], [score_targets, class_targets], batch_size=32, epochs=1)
result["multi_io_lists"] = numbers(history.history)  # gradkit: for RESULT

# data as dicts keyed by the inputs' and outputs' names
history = model.fit(  # gradkit: kept
    {"img_input": img_data, "ts_input": ts_data},
    {"score_output": score_targets, "class_output": class_targets},
    batch_size=32,
    epochs=1,
)
result["multi_io_dicts"] = numbers(history.history)  # gradkit: for RESULT

# gradkit: the guide's multi-input Dataset example is left out (tf.data).

# ==== Callbacks ======================================================================
model = get_compiled_model()

callbacks = [
    keras.callbacks.EarlyStopping(
        # watch the validation loss
        monitor="val_loss",
        # an improvement is a fall of at least 0.01
        min_delta=1e-2,
        # and stop after two epochs without one
        patience=2,
        verbose=1,
    )
]
history = model.fit(  # gradkit: kept
    x_train,
    y_train,
    epochs=20,
    batch_size=64,
    callbacks=callbacks,
    validation_split=0.2,
)
result["early_stopping"] = {  # gradkit: for RESULT
    "history": numbers(history.history),
    "stopped_epoch": int(callbacks[0].stopped_epoch),
}


# A callback of one's own: the loss after every batch.
class LossHistory(keras.callbacks.Callback):
    def on_train_begin(self, logs):
        self.per_batch_losses = []

    def on_batch_end(self, batch, logs):
        self.per_batch_losses.append(logs.get("loss"))


# gradkit: the guide defines LossHistory without using it; one epoch with it, here, shows
# that it is called (a fit of 64-sample batches calls on_batch_end once per batch).
loss_history = LossHistory()
model = get_compiled_model()
history = model.fit(x_train, y_train, batch_size=64, epochs=1, callbacks=[loss_history])
result["loss_history"] = {
    "per_batch_losses": numbers(loss_history.per_batch_losses),
    "epoch_loss": numbers(history.history["loss"]),
}

# ==== Checkpoints ====================================================================
model = get_compiled_model()

callbacks = [
    keras.callbacks.ModelCheckpoint(
        # the file to write; {epoch} puts the epoch number in its name
        filepath="mymodel_{epoch}.keras",
        # write only when val_loss improved on the best so far
        save_best_only=True,
        monitor="val_loss",
        verbose=1,
    )
]
history = model.fit(  # gradkit: kept
    x_train,
    y_train,
    epochs=2,
    batch_size=64,
    callbacks=callbacks,
    validation_split=0.2,
)
result["model_checkpoint"] = {  # gradkit: for RESULT
    "history": numbers(history.history),
    "files": sorted(name for name in os.listdir(".") if name.startswith("mymodel_")),
}

# Fault tolerance: start from the newest checkpoint if there is one.
checkpoint_dir = "./ckpt"
if not os.path.exists(checkpoint_dir):
    os.makedirs(checkpoint_dir)


def make_or_restore_model():
    # the newest checkpoint, or a new model when there is none
    checkpoints = [checkpoint_dir + "/" + name for name in os.listdir(checkpoint_dir)]
    if checkpoints:
        latest_checkpoint = max(checkpoints, key=os.path.getctime)
        print("Restoring from", latest_checkpoint)
        return keras.models.load_model(latest_checkpoint)
    print("Creating a new model")
    return get_compiled_model()


model = make_or_restore_model()
callbacks = [
    # a checkpoint every 100 batches, named after the training loss
    keras.callbacks.ModelCheckpoint(
        filepath=checkpoint_dir + "/model-loss={loss:.2f}.keras", save_freq=100
    )
]
history = model.fit(x_train, y_train, epochs=1, callbacks=callbacks)  # gradkit: kept

# gradkit: not in the guide: the restore branch, taken by a second run of the program;
# here it is called once more, and the restored model scored on the validation set.
restored = make_or_restore_model()
result["checkpoint_every_100"] = {
    "history": numbers(history.history),
    "files": sorted(os.listdir(checkpoint_dir)),
    "restored_evaluate": numbers(restored.evaluate(x_val, y_val, verbose=0)),
}

# ==== Learning-rate schedules ========================================================
initial_learning_rate = 0.1
lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate, decay_steps=100000, decay_rate=0.96, staircase=True
)

optimizer = keras.optimizers.RMSprop(learning_rate=lr_schedule)
result["lr_schedule"] = [float(lr_schedule(s)) for s in (0, 99999, 100000, 250000)]  # gradkit

# gradkit: the guide's TensorBoard callback is left out (needs TensorFlow).

print("RESULT " + json.dumps(result))  # gradkit: the result, for tests/programs
