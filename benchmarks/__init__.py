"""Benchmarks run by `make bench`: they report what they measured, nothing is asserted."""
