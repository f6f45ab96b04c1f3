"""Benchmarks of the builder: build speed, package weight and LMS traffic (`scripts/bench`)."""
