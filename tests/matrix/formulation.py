"""Access-matrix rows for the formulation routes (see tests/access_matrix.py)."""

ROUTES: list = []
