"""The rule base: YAML data (rules/data), its schema, loader and the deterministic matcher."""
