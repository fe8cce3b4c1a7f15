"""Files the program ships (reference tables, trained small models, icons).

Installed as the package ``explorer.resources``; read with
``importlib.resources.files("explorer.resources")``.
"""
