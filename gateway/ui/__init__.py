"""The French web UI, rendered on the server (DSFR). Its modules, lowest first (each imports only those above it):

- `session`: the signed-in person's tokens and every call to the services (the one refresh-on-401 routine),
  the services' referentials kept briefly in memory, files streamed up and down;
- `pages`: the blueprint factory, error pages, « signed-in only », role checks, field errors, paging;
- `french`: values as the pages show them (numbers, dates, moments, sizes) and dates typed back;
- `entry_aids`: an indicator's draft, last campaign's values and the « À suivre » note as the form shows them;
- one module per area of the guides: `identity` (connexion, mot de passe, mon compte), `home` (/accueil and
  the EJ's page), `contracts`, `entry` (an indicator's draft, « À suivre »), `campaigns`, `cpom` and
  `cpom_fiches`, `habilitations`, `support`, `backoffice` (« Suivi des transmissions »). Areas never import one
  another: they link by URL.

Labels, lists of choices and rules come from the service that owns them (its API), never restated here.
gateway/app.py registers the blueprints (`AREAS`); the templates are in gateway/templates."""
