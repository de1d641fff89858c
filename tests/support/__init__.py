"""Helpers the tests share (never imported by the product, the benchmark or the harness)."""
