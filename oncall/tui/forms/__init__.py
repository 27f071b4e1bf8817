"""The console's forms: one modal screen per desk verb (or a few short ones together)."""
