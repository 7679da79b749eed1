"""Identity and habilitations: users, login, password resets by emailed code, tokens."""
