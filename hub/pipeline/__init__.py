"""The night's steps as plain functions, one module per stage; Dagster assets and the CLI call these."""
