"""Where the whole cycle stands: the dashboard of the Secretaría, DIPRES and the
administration, the institution list with each submission's state, and the cycle report."""
