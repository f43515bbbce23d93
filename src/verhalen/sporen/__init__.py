"""Track mapping (sporen van impact) and figures/reports built on it."""
