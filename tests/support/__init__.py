"""Helpers shared by the tests and benchmarks: servers, factories, seeded stores, service environments."""
