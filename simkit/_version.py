"""The version of simkit (one place; read by the package, the CLI and stored files)."""

__version__ = "0.1.0"
