"""Every sentence the page shows, one table per language with the same keys (a test checks them against each other)."""
