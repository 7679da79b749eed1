"""Self-evaluation contracts (guide 000): EJ, contracts, indicators, answers, closing."""
