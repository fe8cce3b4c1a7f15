"""PySide6 + pyqtgraph views; imports explorer.core and explorer.analysis, never the reverse."""
