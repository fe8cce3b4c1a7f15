"""Test configuration: headless Qt, no network, shared helpers."""

from __future__ import annotations

import os

# Set before anything imports Qt or huggingface_hub: without a display the Qt platform
# plugin aborts the whole process, and an online timm lookup hangs for ~47 s.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["HF_HUB_OFFLINE"] = "1"
# never contact a weights server from a test (the caches are still read)
os.environ["CNN_EXPLORER_OFFLINE"] = "1"
# no analysis cache: every window traces its model (tests stay independent, the user's cache
# folder is never read or written); the cache's own tests point it at a folder of theirs
os.environ["CNN_EXPLORER_GRAPH_CACHE"] = "off"
# the window in English whatever the machine's language (the texts tests read are English's;
# a test of another language installs its catalogue itself)
os.environ["LANGUAGE"] = "en"

from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout; tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
