"""Qt tests: the offscreen platform is set by tests/conftest.py before Qt loads."""
