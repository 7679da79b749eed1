"""Notifications: consumes events and sends French emails over SMTP, with a delivery log."""
