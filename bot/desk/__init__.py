"""The agent desk: support staff list, claim, answer and resolve complaints; supervisors watch the service.

    services       the desk's complaint operations and reports; they call bot.complaints.services
    permissions    who may do what (agent / supervisor / the complaint's assigned agent)
    accounts       desk users, argon2id password hashes, the services that manage them
    tokens         short-lived HS256 access tokens
    store          queue and report queries, user repository;  unit_of_work: the desk's transactions
    statistics     complaint figures;  tracker: FAQ feedback and fallbacks from Rasa's tracker store
    export         CSV for Excel;  redact: long numbers in users' words masked
    notifications  webhook messages, enqueued by an outbox hook in the event's transaction
    outbox         delivery with retries and backoff;  worker: the background loop
    bootstrap      the composition root;  web: mounting API, docs, console and worker into the web app
    api/           the REST API (FastAPI routers): HTTP to services, errors to statuses
    cli            `python -m bot.cli create-user`

Nothing here imports rasa.
"""
