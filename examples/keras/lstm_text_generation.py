"""keras.io's "Character-level text generation with LSTM", on Keras 3 or on gradkit,
with Tiny Shakespeare in place of Nietzsche.

Follows the program of keras-team/keras-io
``examples/generative/lstm_character_level_text_generation.py`` (commit
61b6dba5e62808524df142b4c56d8266add5d349, whose imports are tf.keras's; Keras 3's
``import keras`` takes their place, as in the Keras 3 copy at Xcoke919/keras-io commit
67e2c7062095bcae4746153831a1ac547abb9b42) step for step: the corpus lowercased with
newlines made spaces, the sorted character vocabulary, semi-redundant windows of 40
characters every 3 with the next character as target, both one-hot as ``bool`` arrays,
the Sequential model (``LSTM(128)`` and a softmax Dense over the vocabulary),
``RMSprop(learning_rate=0.01)`` with ``categorical_crossentropy``, and a loop of
one-epoch ``fit`` calls at batch 128, each followed by sampling 400 characters at the
temperatures 0.2, 0.5, 1.0 and 1.2 from a random 40-character seed with
``model.predict`` one character at a time. The original runs 40 epochs and says that
the text starts to sound locally coherent after about 20. It is written for this
repository (the example's text is not copied); every place where it does something
other than the original says so with ``# gradkit:``.

The data set: the original downloads Nietzsche (600,893 characters); this program must
run offline and reads Tiny Shakespeare from ``$GRADKIT_DATA/tinyshakespeare/input.txt``
(1,115,394 characters, 38 once lowercased), the same corpus
``examples/pytorch/nanogpt_shakespeare.py`` uses. The original measures nothing but the
training loss; this program also scores the model on held-out text (the last 10% of
the corpus, never trained on) and reports the unigram baseline there: the
cross-entropy of the training text's character frequencies on the held-out text,
2.97 nats, which no model that ignores the context can beat.

    KERAS_BACKEND=torch python examples/keras/lstm_text_generation.py   # Keras 3
    python examples/keras/lstm_text_generation.py --gradkit              # gradkit

The last line printed is ``RESULT {json}``: the training loss of every epoch, the
held-out loss after the last one, the unigram baseline and the last epoch's samples.
"""

# ruff: noqa: UP015, UP020, UP031, B007 - the original's own idioms are kept
# ---- gradkit: header (not in the original): library switch and size knobs ----------
import argparse
import json
import os
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--gradkit", action="store_true", help="run on gradkit, not Keras")
parser.add_argument("--epochs", type=int, default=40)
parser.add_argument(
    "--train-chars", type=int, default=None, help="cut windows from the first N characters"
)
parser.add_argument("--heldout-chars", type=int, default=None, help="default: last 10%%")
parser.add_argument("--gen-chars", type=int, default=400, help="characters per sample")
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

DATA = Path(
    os.environ.get("GRADKIT_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data"
)
# ---- end of header ------------------------------------------------------------------

import io  # noqa: E402 - the original's imports follow the header
import random  # noqa: E402

import numpy as np  # noqa: E402

keras.utils.set_random_seed(args.seed)  # gradkit: seeded (Python, NumPy and the library)
verbose = args.verbose if args.verbose == "auto" else int(args.verbose)  # gradkit: knob

# ---- the data -----------------------------------------------------------------------
path = DATA / "tinyshakespeare" / "input.txt"  # gradkit: was keras.utils.get_file(Nietzsche)
with io.open(path, encoding="utf-8") as f:
    text = f.read().lower()
text = text.replace("\n", " ")  # newlines become spaces, for a readable sample
print("Corpus length:", len(text))

chars = sorted(list(set(text)))
print("Total chars:", len(chars))
char_indices = dict((c, i) for i, c in enumerate(chars))
indices_char = dict((i, c) for i, c in enumerate(chars))

# gradkit: the last 10% is held out; the windows are cut from the rest (or its start)
n_heldout = args.heldout_chars or len(text) // 10
heldout_text = text[len(text) - n_heldout :]
text = text[: len(text) - n_heldout][: args.train_chars]


def cut(text):  # gradkit: the original's loop, made a function to cut held-out text too
    # windows of maxlen characters, one every `step`, each with the character after it
    sentences = []
    next_chars = []
    for i in range(0, len(text) - maxlen, step):
        sentences.append(text[i : i + maxlen])
        next_chars.append(text[i + maxlen])
    print("Number of sequences:", len(sentences))

    x = np.zeros((len(sentences), maxlen, len(chars)), dtype="bool")
    y = np.zeros((len(sentences), len(chars)), dtype="bool")
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1
    return x, y


maxlen = 40
step = 3
x, y = cut(text)
x_heldout, y_heldout = cut(heldout_text)  # gradkit: held-out windows (not in the original)

# ---- the model: one LSTM layer ------------------------------------------------------
model = keras.Sequential(
    [
        keras.Input(shape=(maxlen, len(chars))),
        layers.LSTM(128),
        layers.Dense(len(chars), activation="softmax"),
    ]
)
optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
model.compile(loss="categorical_crossentropy", optimizer=optimizer)


# ---- sampling -----------------------------------------------------------------------
def sample(preds, temperature=1.0):
    # draw one index from the probabilities, sharpened or flattened by the temperature
    preds = np.asarray(preds).astype("float64")
    preds = np.log(preds) / temperature
    exp_preds = np.exp(preds)
    preds = exp_preds / np.sum(exp_preds)
    probas = np.random.multinomial(1, preds, 1)
    return np.argmax(probas)


# ---- training -----------------------------------------------------------------------
epochs = args.epochs  # gradkit: knob (the original: 40)
batch_size = 128
losses = []  # gradkit: each epoch's training loss, for RESULT

for epoch in range(epochs):
    history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=verbose)  # gradkit: kept
    losses.append(float(history.history["loss"][0]))  # gradkit: for RESULT
    print()
    print("Generating text after epoch: %d" % epoch)

    start_index = random.randint(0, len(text) - maxlen - 1)
    samples = {}  # gradkit: the samples, for RESULT
    for diversity in [0.2, 0.5, 1.0, 1.2]:
        print("...Diversity:", diversity)

        generated = ""
        sentence = text[start_index : start_index + maxlen]
        print('...Generating with seed: "' + sentence + '"')

        for i in range(args.gen_chars):  # gradkit: knob (the original: 400)
            x_pred = np.zeros((1, maxlen, len(chars)))
            for t, char in enumerate(sentence):
                x_pred[0, t, char_indices[char]] = 1.0
            preds = model.predict(x_pred, verbose=0)[0]
            next_index = sample(preds, diversity)
            next_char = indices_char[next_index]
            sentence = sentence[1:] + next_char
            generated += next_char

        print("...Generated: ", generated)
        print("-")
        samples[str(diversity)] = generated  # gradkit: for RESULT

# gradkit: the rest is not in the original. The held-out loss, and the unigram baseline:
# the cross-entropy of the training text's character frequencies (add-one smoothed) on
# the held-out text.
heldout_loss = model.evaluate(x_heldout, y_heldout, batch_size=batch_size, verbose=0)
counts = np.bincount([char_indices[c] for c in text], minlength=len(chars)) + 1.0
log_freq = np.log(counts / counts.sum())
unigram = -float(np.mean([log_freq[char_indices[c]] for c in heldout_text]))
print("Held-out loss: %.4f nats (unigram baseline %.4f)" % (heldout_loss, unigram))
result = {
    "losses": losses,
    "heldout_loss": float(heldout_loss),
    "unigram_heldout_loss": unigram,
    "train_sequences": int(len(x)),
    "vocab": len(chars),
    "samples": samples,
}
print("RESULT " + json.dumps(result))
