"""The side-by-side view: networks aligned by stage, and one image through every pane."""
