"""Performance benchmarks: simkit measured side by side with reference implementations.

``python -m benchmarks.run`` (or ``make bench``) runs every benchmark, prints a
table of ratios against their targets and writes ``benchmarks/results/latest.json``.
``--quick`` runs the same code on tiny sizes so that the suite can be smoke-tested.
"""
