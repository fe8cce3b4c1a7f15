"""The window: PySide6 + pyqtgraph, wiring and drawing only; everything it shows is computed
below it (explorer.app, explorer.present, explorer.studies ...), which never imports it."""
