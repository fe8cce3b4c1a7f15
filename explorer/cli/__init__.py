"""The headless sub-commands, one module per group; ``explorer.__main__`` dispatches."""
