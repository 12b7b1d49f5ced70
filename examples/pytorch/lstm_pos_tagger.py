"""The LSTM part-of-speech tagger of "Sequence Models and Long Short-Term Memory
Networks", on PyTorch or gradkit.

Follows the program of pytorch/tutorials ``beginner_source/nlp/sequence_models_tutorial.py``
(commit f77e1c2c11be5d612ed9adbc73a8b82904162c23) step for step, with its own inline
training data (two tagged sentences): first the LSTM warm-up (stepping an ``nn.LSTM``
one element at a time, then over the whole sequence), then an embedding + LSTM + linear
tagger trained with NLLLoss and SGD(lr=0.1) for 300 epochs. That version of the
tutorial still wraps tensors in ``autograd.Variable`` and builds index tensors with
``torch.LongTensor``; this program keeps both. It is written for this repository (the
tutorial's text is not copied); every place where it does something other than the
tutorial's program says so with ``# gradkit:``.

    python examples/pytorch/lstm_pos_tagger.py            # PyTorch
    python examples/pytorch/lstm_pos_tagger.py --gradkit  # gradkit (or GRADKIT=1)

The last line printed is ``RESULT {json}``: the training sentence's predicted tags and
the loss of the first and last epoch.
"""

# ruff: noqa: UP008, B007 - the original's own idioms are kept
# ---- gradkit: header (not in the tutorial): library switch and size knobs ----------
import argparse
import json
import os

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--gradkit", action="store_true", help="run on gradkit, not PyTorch")
parser.add_argument("--epochs", type=int, default=300)
parser.add_argument("--seed", type=int, default=1, help="the tutorial seeds with 1")
args = parser.parse_args()

if args.gradkit or os.environ.get("GRADKIT") == "1":
    import gradkit as torch
    import gradkit.autograd as autograd
    import gradkit.nn as nn
    import gradkit.nn.functional as F
    import gradkit.optim as optim
else:
    import torch
    import torch.autograd as autograd
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim
# ---- end of header ------------------------------------------------------------------

torch.manual_seed(args.seed)  # gradkit: the seed is a knob (the tutorial: 1)

# An LSTM over a sequence of five 3-vectors, (seq_len, batch, features) = (5, 1, 3).
lstm = nn.LSTM(3, 3)
inputs = [autograd.Variable(torch.randn((1, 3))) for _ in range(5)]

# One element at a time: the state (h, c) is carried from step to step.
hidden = (autograd.Variable(torch.randn(1, 1, 3)), autograd.Variable(torch.randn((1, 1, 3))))
for i in inputs:
    out, hidden = lstm(i.view(1, 1, -1), hidden)

# The whole sequence at once: out holds every step's h, hidden the last (h, c).
inputs = torch.cat(inputs).view(len(inputs), 1, -1)
hidden = (autograd.Variable(torch.randn(1, 1, 3)), autograd.Variable(torch.randn((1, 1, 3))))
out, hidden = lstm(inputs, hidden)
print(out)
print(hidden)


# The tagger. Words and tags become indices.
def prepare_sequence(seq, to_ix):
    idxs = [to_ix[w] for w in seq]
    tensor = torch.LongTensor(idxs)
    return autograd.Variable(tensor)


training_data = [
    ("The dog ate the apple".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("Everybody read that book".split(), ["NN", "V", "DET", "NN"]),
]
word_to_ix = {}
for sent, tags in training_data:
    for word in sent:
        if word not in word_to_ix:
            word_to_ix[word] = len(word_to_ix)
print(word_to_ix)
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}

EMBEDDING_DIM = 6
HIDDEN_DIM = 6


class LSTMTagger(nn.Module):
    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)  # embeddings in, hidden states out
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)  # hidden state -> tag scores
        self.hidden = self.init_hidden()

    def init_hidden(self):
        # (num_layers, minibatch_size, hidden_dim), for h and for c
        return (
            autograd.Variable(torch.zeros(1, 1, self.hidden_dim)),
            autograd.Variable(torch.zeros(1, 1, self.hidden_dim)),
        )

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, self.hidden = self.lstm(embeds.view(len(sentence), 1, -1), self.hidden)
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores


model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, len(word_to_ix), len(tag_to_ix))
loss_function = nn.NLLLoss()
optimizer = optim.SGD(model.parameters(), lr=0.1)

# Scores before training: row i holds the log-probabilities of the tags of word i.
inputs = prepare_sequence(training_data[0][0], word_to_ix)
tag_scores = model(inputs)
print(tag_scores)

epoch_losses = []  # gradkit: each epoch's summed loss, kept for the RESULT line
for epoch in range(args.epochs):  # gradkit: epochs is a knob (the tutorial: 300)
    epoch_loss = 0.0  # gradkit: kept for RESULT
    for sentence, tags in training_data:
        model.zero_grad()  # gradients accumulate: clear them for each sentence
        model.hidden = model.init_hidden()  # a fresh state, cut from the last sentence

        sentence_in = prepare_sequence(sentence, word_to_ix)
        targets = prepare_sequence(tags, tag_to_ix)

        tag_scores = model(sentence_in)

        loss = loss_function(tag_scores, targets)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()  # gradkit: kept for RESULT
    epoch_losses.append(epoch_loss)  # gradkit: kept for RESULT

# Scores after training: the highest score in each row should be the word's tag,
# 0 1 2 0 1 = DET NN V DET NN for "The dog ate the apple".
inputs = prepare_sequence(training_data[0][0], word_to_ix)
tag_scores = model(inputs)
print(tag_scores)

# gradkit: the result, machine-readable, for tests/programs/test_pytorch_tutorials.py
scores = tag_scores.detach()
predicted = [max(range(len(tag_to_ix)), key=lambda j: float(row[j])) for row in scores]
result = {"predicted": predicted, "first_loss": epoch_losses[0], "last_loss": epoch_losses[-1]}
print("RESULT " + json.dumps(result))
