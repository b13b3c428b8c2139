"""The curated FAQ: one YAML file per topic under data/faq/, read and checked here."""
