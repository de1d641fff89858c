"""Starting the real servers as subprocesses, for the tests and the benchmark (never imported by the product)."""
