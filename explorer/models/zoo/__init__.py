"""The model zoo: importing this package registers every entry.

Each family module is torch-free at import time; builders import lazily.
"""

from explorer.models.zoo import (  # noqa: F401
    alexnet,
    highway,
    inception,
    lenet,
    modern,
    preact,
    repvgg,
    resnet,
    senet,
    small,
    vgg,
    xception,
)
