"""Qt-free analysis: probes, data, evaluation, lesions, fusion (imports explorer.core)."""
