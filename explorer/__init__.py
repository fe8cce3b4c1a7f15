"""cnn-explorer: an interactive explorer of convolutional network architectures."""

__version__ = "0.1.0"
