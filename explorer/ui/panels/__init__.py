"""Bottom panels: each draws what Qt-free code computes (explorer.present.panels, the probes' curves in explorer.runtime.probe_curves)."""
