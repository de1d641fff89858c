"""Fast tests of plain functions and single components: `make test-fast` runs this tier alone."""
