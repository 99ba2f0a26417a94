"""A submission's pages, for any kind: the coordinator's form (with its evidence files and
its answers to observations), checking and submitting it, and the submitted versions.

They sit above every package they bring together (submissions, evidence, review, exports);
the blueprint keeps the name ``submissions``: its endpoints are the submission's pages.
"""
