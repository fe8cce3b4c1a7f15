"""The effective receptive field (Luo et al. 2016): where the gradient of one output value
lands on the input, and how far it spreads."""
