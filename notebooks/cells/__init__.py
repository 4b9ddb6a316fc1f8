"""The notebooks' cells as code, one module per notebook (see ``notebooks/build.py``)."""
