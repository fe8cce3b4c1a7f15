"""Residual networks as ensembles of paths (Veit, Wilber, Belongie 2016, "Residual Networks
Behave Like Ensembles of Relatively Shallow Networks", Fig. 1 and 6): the unraveled view, the
number of paths of each length, and the gradient each length carries to the input."""
