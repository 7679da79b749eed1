"""Append-only documents stored in S3 with Object Lock."""
