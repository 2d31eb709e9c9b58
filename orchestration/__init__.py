"""ai-market-ledger: Dagster code location for the AI-investment warehouse."""
