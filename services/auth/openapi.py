"""OpenAPI description of the auth service's routes (served at /openapi.json, see ecars_common/openapi.py)."""

from ecars_common.openapi import (
                                  BOOL,
                                  INT,
                                  MESSAGE,
                                  TEXT,
                                  UUID,
                                  array,
                                  document,
                                  items_of,
                                  json_body,
                                  nullable,
                                  obj,
                                  operation,
                                  query,
                                  string,
)

EMAIL = string(254, format="email")
SCOPE_TYPE = string(enum=["ej", "contract", "cpom"])
PASSWORD = string(1000)
USER = obj({"id": UUID, "email": TEXT, "role": TEXT, "civilite": nullable(TEXT), "nom": nullable(TEXT),
            "prenom": nullable(TEXT), "fonction": nullable(TEXT), "telephone": nullable(TEXT),
            "region": nullable(TEXT), "departement": nullable(TEXT)}, ["id", "email", "role"])
TOKENS = obj({"access_token": TEXT, "refresh_token": TEXT, "token_type": string(enum=["Bearer"]),
              "expires_in": INT, "user": USER}, ["access_token", "refresh_token", "token_type", "expires_in", "user"])
HABILITATION = obj({"id": UUID, "user_id": UUID, "scope_type": SCOPE_TYPE, "scope_id": TEXT, "nom_complet": TEXT,
                    "civilite": nullable(TEXT), "fonction": nullable(TEXT), "courriel": TEXT,
                    "administrateur": BOOL, "visibilite_documents_confidentiels": BOOL},
                   ["id", "user_id", "scope_type", "scope_id", "administrateur",
                    "visibilite_documents_confidentiels"])
NEW_PASSWORD = {"password": PASSWORD, "confirmation": PASSWORD}
SESSION = obj({"id": UUID, "user_agent": TEXT, "client_address": TEXT, "created_at": string(format="date-time"),
               "last_used_at": string(format="date-time"), "current": BOOL},
              ["id", "user_agent", "client_address", "created_at", "last_used_at", "current"])
ENDED = obj({"message": TEXT, "ended": INT, "tokens": TOKENS}, ["message", "ended"])
ACCOUNT = obj({"id": UUID, "email": TEXT, "civilite": TEXT, "nom": TEXT, "prenom": TEXT, "role": TEXT, "actif": BOOL,
               "desactive_le": nullable(string(format="date-time")), "premiere_connexion_attendue": BOOL,
               "sessions_ouvertes": INT}, ["id", "email", "role", "actif", "sessions_ouvertes"])

PATHS = {
    "/password-policy": {"get": operation(
        "Les règles du mot de passe.", public=True,
        returns=obj({"min_length": INT, "max_length": INT, "rules": array(obj({"rule": TEXT, "label": TEXT}))},
                    ["min_length", "max_length", "rules"]))},
    "/password-reset/code": {"post": operation(
        "« Envoyer le code de vérification » (même réponse que le compte existe ou non).", public=True,
        status=202, returns=MESSAGE, body=json_body(obj({"email": EMAIL}, ["email"])), errors=[422])},
    "/password-reset/verify": {"post": operation(
        "« Vérifier le code » : un jeton de renouvellement valable 10 minutes.", public=True,
        returns=obj({"reset_token": TEXT, "expires_in": INT}, ["reset_token", "expires_in"]),
        body=json_body(obj({"email": EMAIL, "code": string(20)}, ["email", "code"])), errors=[422])},
    "/password-reset/complete": {"post": operation(
        "Le nouveau mot de passe, deux fois → « Continuer ».", public=True, returns=MESSAGE,
        body=json_body(obj({"reset_token": string(200), **NEW_PASSWORD}, ["reset_token", "password",
                                                                           "confirmation"])), errors=[422])},
    "/login": {"post": operation(
        "« Se connecter » : jetons d'accès et de rafraîchissement.", public=True, returns=TOKENS,
        body=json_body(obj({"email": string(254), "password": PASSWORD}, ["email", "password"])),
        errors=[401, 403, 422, 429])},
    "/token/refresh": {"post": operation(
        "Nouveaux jetons contre le jeton de rafraîchissement (à usage unique).", public=True, returns=TOKENS,
        body=json_body(obj({"refresh_token": string(200)}, ["refresh_token"])), errors=[401, 422])},
    "/logout": {"post": operation(
        "« Se déconnecter » : cette session se termine (ses jetons de rafraîchissement sont révoqués, ses jetons "
        "d'accès refusés partout en quelques secondes).", status=204)},
    "/habilitations/snapshot": {"get": operation(
        "Toutes les habilitations, avec leur version : ce que les projections des autres services doivent tenir "
        "(rapprochement, ecars_common/reconcile.py). Réservé aux services (en-tête X-Ecars-Service-Key).",
        public=True, errors=[403],
        returns=obj({"items": array(obj({"habilitation_id": TEXT, "user_id": TEXT, "email": TEXT, "scope_type": TEXT,
                                         "scope_id": TEXT, "administrateur": BOOL,
                                         "visibilite_documents_confidentiels": BOOL,
                                         "version": INT}))}, ["items"]))},
    "/token-revocations": {"get": operation(
        "Les révocations de jetons d'accès de la durée de vie d'un jeton (utilisateurs et sessions désignés par un "
        "condensé de leur identifiant) : chaque vérificateur de jetons les relit toutes les quelques secondes "
        "(ecars_common/revocations.py). Un jeton dont `iat_ms` (à défaut `iat`) est antérieur au `not_before_ms` de "
        "sa clé est refusé (`not_before` : la même seconde, arrondie au-dessus).",
        public=True, errors=[422],
        parameters=[query("since", string(30), required=False)],
        returns=obj({"as_of": {"type": "number"}, "keep_seconds": INT,
                     "items": array(obj({"key": TEXT, "not_before": INT, "not_before_ms": INT},
                                        ["key", "not_before", "not_before_ms"]))},
                    ["as_of", "keep_seconds", "items"]))},
    "/.well-known/jwks.json": {"get": operation(
        "Les clés publiques (EdDSA) des jetons d'accès.", public=True,
        returns=obj({"keys": array(obj({"kid": TEXT, "kty": TEXT}, ["kid", "kty"]))}, ["keys"]))},
    "/me": {
        "get": operation("Mon compte.", returns=USER),
        "patch": operation(
            "Modifier mes coordonnées. Un nouveau numéro de téléphone demande le mot de passe actuel "
            "(`current_password`), compté comme les autres vérifications de mot de passe (ralentissement, blocage).",
            returns=USER, errors=[403, 422, 429],
            body=json_body(obj({"civilite": string(100, enum=["M.", "Mme"]), "nom": string(100),
                                "prenom": string(100), "fonction": string(100),
                                "telephone": string(30, description="format 01 22 33 44 55"),
                                "current_password": PASSWORD}))),
    },
    "/me/password": {"post": operation(
        "Changer mon mot de passe : mes autres sessions sont fermées, celle-ci reçoit de nouveaux jetons (`tokens`).",
        returns=obj({"message": TEXT, "tokens": TOKENS}, ["message"]), errors=[403, 422, 429],
        body=json_body(obj({"current_password": PASSWORD, **NEW_PASSWORD},
                           ["current_password", "password", "confirmation"])))},
    "/me/habilitations": {"get": operation("Mes habilitations.", returns=items_of(HABILITATION))},
    "/me/sessions": {"get": operation(
        "Mes sessions ouvertes, une par connexion (appareil, navigateur) : `user_agent` et `client_address` de la "
        "connexion, `last_used_at` (dernier renouvellement des jetons, au plus la durée d'un jeton d'accès), "
        "`current` pour celle de ce jeton. La plus récemment utilisée d'abord.", returns=items_of(SESSION))},
    "/me/sessions/<session_id>": {"delete": operation(
        "Fermer une de mes sessions : ses jetons sont refusés en quelques secondes. Celle d'un autre appareil demande "
        "le mot de passe actuel (`current_password`, compté comme une connexion), celle-ci non (une déconnexion).",
        status=204, errors=[403, 422, 429],
        body={**json_body(obj({"current_password": PASSWORD})), "required": False})},
    "/me/sessions/end-all": {"post": operation(
        "« Se déconnecter de tous les appareils » ; avec `keep_current`, toutes sauf celle-ci, qui reçoit de "
        "nouveaux jetons (`tokens`). Le mot de passe actuel (`current_password`) quand la session d'un autre "
        "appareil serait fermée.", returns=ENDED, errors=[403, 422, 429],
        body=json_body(obj({"keep_current": BOOL, "current_password": PASSWORD})))},
    "/users": {"get": operation(
        "Le compte d'une adresse email (équipe support) : liste vide s'il n'y en a pas.", returns=items_of(ACCOUNT),
        errors=[403, 422], parameters=[query("email", EMAIL, required=True)])},
    "/users/<user_id>/sessions": {"delete": operation(
        "Fermer toutes les sessions d'une personne (équipe support).", returns=ENDED, errors=[403, 404])},
    "/users/<user_id>/disable": {"post": operation(
        "« Désactiver le compte » (équipe support) : plus de connexion, toutes ses sessions fermées. Ni son propre "
        "compte, ni celui d'un administrateur sauf par un administrateur.",
        returns=obj({"message": TEXT, "ended": INT, "user": ACCOUNT}, ["message", "ended", "user"]),
        errors=[403, 404])},
    "/users/<user_id>/enable": {"post": operation(
        "« Réactiver le compte » (équipe support) : la personne peut de nouveau se connecter.",
        returns=obj({"message": TEXT, "user": ACCOUNT}, ["message", "user"]), errors=[403, 404])},
    "/habilitations": {
        "get": operation(
            "Les habilitations d'un EJ, contrat ou CPOM (profil « Administrateur » requis).",
            returns=items_of(HABILITATION), errors=[403, 422],
            parameters=[query("scope_type", SCOPE_TYPE, required=True), query("scope_id", string(100), True)]),
        "post": operation(
            "« Création d'un contact » : habilite un utilisateur (créé s'il n'existe pas).", status=201,
            returns={**HABILITATION, "properties": {**HABILITATION["properties"], "compte_cree": BOOL}},
            errors=[403, 422],
            body=json_body(obj({"scope_type": SCOPE_TYPE, "scope_id": string(100),
                                "civilite": string(100, enum=["M.", "Mme"]), "nom": string(100),
                                "prenom": string(100), "fonction": string(100), "email": EMAIL,
                                "administrateur": BOOL, "visibilite_documents_confidentiels": BOOL},
                               ["scope_type", "scope_id", "civilite", "nom", "prenom", "fonction", "email"]))),
    },
    "/habilitations/<habilitation_id>": {
        "patch": operation(
            "Changer les profils d'une habilitation.", returns=HABILITATION, errors=[403, 422],
            body=json_body(obj({"administrateur": BOOL, "visibilite_documents_confidentiels": BOOL}))),
        "delete": operation("Retirer une habilitation.", status=204, errors=[403]),
    },
}

DOCUMENT = document("auth", PATHS, description="Comptes, connexion, jetons et habilitations.")
