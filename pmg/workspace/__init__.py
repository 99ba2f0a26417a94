"""Each person's workspace: the home page that says where they stand and what to do next.

It sits above every package whose state it gathers (submissions, review, cycles)."""
