"""The agent desk: support staff list, claim, answer and resolve complaints; supervisors watch the service.

    services       the desk's complaint operations and reports; they call bot.complaints.services and views
    permissions    who may do what (agent / supervisor / the complaint's assigned agent)
    users          desk users and their repository's interface;  accounts: passwords and the user services
    tokens         short-lived HS256 access tokens
    store          the user repository;  unit_of_work: the desk's transactions (complaints and users)
    statistics     complaint figures;  tracker: FAQ feedback and fallbacks from Rasa's tracker store
    export         CSV for Excel;  privacy: erasure requests confirmed, retention
    worker         the background loop: overdue sweep and notification delivery (bot.notifications)
    bootstrap      the composition root;  web: mounting API, docs, console and worker into the web app
    api/           the REST API (FastAPI routers): HTTP to services, errors to statuses
    cli            `python -m bot.cli create-user`

Nothing here imports rasa.
"""
