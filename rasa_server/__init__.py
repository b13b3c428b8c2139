"""Everything that runs inside the Rasa server process (the server environment, `rasa==3.6.21`).

- `rasa_server.nlu`: the custom NLU components named in config.yml;
- `rasa_server.channels`: the input channels named in credentials.yml;
- `rasa_server.trackers`, `rasa_server.locks`: the tracker and lock stores named in endpoints;
- `rasa_server.rasa_fixes`: the patches to Rasa 3.6 this project depends on.
- `python -m rasa_server ARGS` (`rasa_server.startup`): Rasa's command line started as the project
  serves it, phone numbers masked in the log and the patches installed (docs/rasa-patches.md).

It imports rasa and `common`, never the application (`bot`, `actions`), whose environment pins
libraries Rasa cannot use (SQLAlchemy 2, pydantic 2). The import contracts in pyproject.toml
(`lint-imports`) enforce the fence.
"""
