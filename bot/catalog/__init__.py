"""Look-up catalogues: 5G coverage by place, handsets and their bands, tariff plans.

Modules, from the data up:

- `operators`: the four operators, their NR bands, names and hotlines (constants).
- `orm`: the tables (`coverage_areas`, `handsets`, `plans`); schema by Alembic.
- `importer` / `cli`: validated, all-or-nothing loading of CSV or YAML files.
- `matching`: pure functions that map what a user typed to catalogue entries.
- `lookups`: the services the Rasa actions call; they return plain dataclasses.

Nothing here imports rasa.
"""
