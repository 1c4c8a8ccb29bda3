"""Shared plumbing for every study: data, run records, seeding, devices, progress, report."""
