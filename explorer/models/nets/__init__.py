"""nn.Module definitions of the networks the project writes itself (imports torch)."""
