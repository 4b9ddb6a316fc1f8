"""The scenario: schema, mechanism sections, distributions, YAML loading, messages and pre-flight checks."""
