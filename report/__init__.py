"""pixelstream's report: the SQL model in sql/ applied with DuckDB over replayed output."""
