"""A submission's pages, for any kind: the coordinator's form (with its evidence files, the
review's decision and its observations beside the fields they point at, and the answers to
them), or, once it can no longer be edited, its latest version read as a document; checking
it, confirming and submitting it; and the submitted versions.

They sit above every package they bring together (submissions, evidence, review, exports);
the blueprint keeps the name ``submissions``: its endpoints are the submission's pages.
"""
