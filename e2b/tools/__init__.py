"""Developer tools that (re)build the data files of `e2b` from their public sources."""
