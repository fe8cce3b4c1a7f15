"""Bottom panels: each draws what a Qt-free model in explorer.analysis computes."""
