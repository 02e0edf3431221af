"""`make bench`: speed measured side by side in one run, printed as one table. Never asserted in tests."""
