"""An example consumer of the ARS back-office contract (docs/backoffice.md): it reads the durable queue
`backoffice.transmissions` and acknowledges each event once handled. Not part of the platform: it
shows a back-office team how to read the queue, and only depends on the documented contract."""
