"""The domain: values, rules and ports. Imports no channel, HTTP or SQL code."""
