"""The Compare view: published accuracy against operations, measured speed, compute density.

``view.CompareView`` holds four tabs: ``chart.ChartTab`` (the ball chart), ``speed.SpeedTab``
(images/s measured here), ``density.DensityTab`` (achieved GFLOP/s against the peak, per
network and per layer kind) and ``kernels_tab.KernelsTab`` (RepVGG's Table 1 on this device).
Everything they show is computed below the window (``explorer.present.chart``,
``explorer.studies.speed``: rounds, kernels, density).
"""
