"""Access-matrix rows for the inventory routes (see tests/access_matrix.py)."""

ROUTES: list = []
