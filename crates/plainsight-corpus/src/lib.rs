//! Synthetic ad corpus with ground truth, for demos, tests and benchmarks.
