"""What a catalog of requirements asks of the layers above it, without importing them."""

from __future__ import annotations

from blinker import Namespace

# Sent with a catalog; each receiver answers whether it used it (a review: pmg.review).
# A catalog that anything used may not change any more, only be followed by a new version.
used = Namespace().signal("requirement-catalog-used")
