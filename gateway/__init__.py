"""The only public entry: /api/<service>/… proxied to the services, / the French web UI."""
