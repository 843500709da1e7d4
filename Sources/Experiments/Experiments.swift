// Experiments target.
