"""The 60-minute blitz "Training a classifier", on Fashion-MNIST, on PyTorch or gradkit.

Follows the program of pytorch/tutorials ``beginner_source/blitz/cifar10_tutorial.py``
(commit c53e7d4efc0e39e455c531d21ec7db28ba220214) step for step: the same network,
loss, optimizer (SGD lr=0.001, momentum=0.9), batch size 4, two epochs, the same
loaders (``num_workers=2``), save / reload of the state dict, and the same test loop.
It is written for this repository (the tutorial's text is not copied); every place
where it does something other than the tutorial's program says so with ``# gradkit:``.

    python examples/pytorch/blitz_classifier_fashion_mnist.py            # PyTorch
    python examples/pytorch/blitz_classifier_fashion_mnist.py --gradkit  # gradkit
    (or GRADKIT=1 in the environment instead of --gradkit)

The last line printed is ``RESULT {json}``: the running losses and the test accuracy.
"""

# ---- gradkit: header (not in the tutorial): library switch and size knobs ----------
import argparse
import gzip
import json
import os
from pathlib import Path

import numpy as np

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--gradkit", action="store_true", help="run on gradkit, not PyTorch")
parser.add_argument("--train-size", type=int, default=60000, help="first N training images")
parser.add_argument("--test-size", type=int, default=10000, help="first N test images")
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--print-every", type=int, default=2000, help="mini-batches per report")
parser.add_argument("--seed", type=int, default=0)
args = parser.parse_args()

if args.gradkit or os.environ.get("GRADKIT") == "1":
    import gradkit as torch
    import gradkit.nn as nn
    import gradkit.nn.functional as F
    import gradkit.optim as optim
else:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    import torch.optim as optim

DATA = Path(
    os.environ.get("GRADKIT_DATA") or Path(__file__).resolve().parents[3] / "shared" / "data"
)
torch.manual_seed(args.seed)  # gradkit: seeded so that runs can be compared
# ---- end of header ------------------------------------------------------------------

# 1. Load and normalize the data.
# gradkit: Fashion-MNIST from its IDX files replaces torchvision's CIFAR10 download; the
# tutorial's transform (ToTensor, then Normalize(0.5, 0.5)) is applied to the arrays:
# pixels / 255 are mapped from [0, 1] to [-1, 1]. The arrays become TensorDatasets.


def load_split(prefix, size):  # gradkit: dataset loading
    with gzip.open(DATA / "fashion-mnist" / f"{prefix}-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 1, 28, 28)
    with gzip.open(DATA / "fashion-mnist" / f"{prefix}-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    x = ((images[:size] / 255.0 - 0.5) / 0.5).astype(np.float32)
    return torch.utils.data.TensorDataset(
        torch.from_numpy(x), torch.from_numpy(labels[:size].astype(np.int64))
    )


batch_size = 4

trainset = load_split("train", args.train_size)  # gradkit: dataset loading
trainloader = torch.utils.data.DataLoader(
    trainset, batch_size=batch_size, shuffle=True, num_workers=2
)

testset = load_split("t10k", args.test_size)  # gradkit: dataset loading
testloader = torch.utils.data.DataLoader(
    testset, batch_size=batch_size, shuffle=False, num_workers=2
)

# gradkit: Fashion-MNIST's ten classes replace CIFAR-10's
classes = ("T-shirt", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Boot")  # fmt: skip

# gradkit: the tutorial shows a grid of training images here (matplotlib and
# torchvision.utils.make_grid); the labels of the first batch are still printed.
dataiter = iter(trainloader)
images, labels = next(dataiter)
print(" ".join(f"{classes[labels[j]]:5s}" for j in range(batch_size)))


# 2. The convolutional network.
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)  # gradkit: 1 input channel (CIFAR-10 has 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 4 * 4, 120)  # gradkit: 28x28 input leaves 4x4 (32x32: 5x5)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)  # every dimension but the batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()

# 3. Loss and optimizer: cross-entropy, SGD with momentum.
criterion = nn.CrossEntropyLoss()
optimizer = optim.SGD(net.parameters(), lr=0.001, momentum=0.9)

# 4. Train.
history = []  # gradkit: the reported running losses, kept for the RESULT line
for epoch in range(args.epochs):  # gradkit: epochs is a knob (the tutorial: 2)
    running_loss = 0.0
    for i, data in enumerate(trainloader, 0):
        inputs, labels = data

        optimizer.zero_grad()

        outputs = net(inputs)
        loss = criterion(outputs, labels)
        loss.backward()
        optimizer.step()

        running_loss += loss.item()
        if i % args.print_every == args.print_every - 1:  # gradkit: knob (tutorial: 2000)
            print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / args.print_every:.3f}")
            history.append(running_loss / args.print_every)  # gradkit: kept for RESULT
            running_loss = 0.0

print("Finished Training")

# Save the trained weights, then load them into a fresh network.
PATH = "./fashion_net.pth"  # gradkit: file name (tutorial: ./cifar_net.pth)
torch.save(net.state_dict(), PATH)

# 5. Test.
dataiter = iter(testloader)
images, labels = next(dataiter)
# gradkit: the tutorial also shows these test images (matplotlib)
print("GroundTruth: ", " ".join(f"{classes[labels[j]]:5s}" for j in range(4)))

net = Net()
net.load_state_dict(torch.load(PATH))

outputs = net(images)
_, predicted = torch.max(outputs, 1)
print("Predicted: ", " ".join(f"{classes[predicted[j]]:5s}" for j in range(4)))

correct = 0
total = 0
with torch.no_grad():
    for data in testloader:
        images, labels = data
        outputs = net(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()

print(f"Accuracy of the network on the {total} test images: {100 * correct // total} %")

# Accuracy per class.
correct_pred = {classname: 0 for classname in classes}
total_pred = {classname: 0 for classname in classes}
with torch.no_grad():
    for data in testloader:
        images, labels = data
        outputs = net(images)
        _, predictions = torch.max(outputs, 1)
        for label, prediction in zip(labels, predictions):
            if label == prediction:
                correct_pred[classes[label]] += 1
            total_pred[classes[label]] += 1

for classname, correct_count in correct_pred.items():
    accuracy = 100 * float(correct_count) / total_pred[classname]
    print(f"Accuracy for class: {classname:5s} is {accuracy:.1f} %")

# Training on a GPU: pick the device.
device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
print(device)

# gradkit: the result, machine-readable, for tests/programs/test_pytorch_tutorials.py
print("RESULT " + json.dumps({"running_losses": history, "accuracy": correct / total}))
