"""Qt-free core: model registry, zoo, block graph and layout.

Nothing under ``explorer.core`` may import PySide6 or pyqtgraph (checked by
``tests/test_architecture.py``).
"""
