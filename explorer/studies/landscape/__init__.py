"""The loss landscape (Li, Xu, Taylor, Studer, Goldstein 2018, "Visualizing the Loss Landscape
of Neural Nets"): filter-normalised random directions, the weights moved along them in place,
and the loss over a grid around the trained point."""
