"""How tenant schemas are built without replaying migrations.

``template``: migrate a template schema, capture its DDL and seed rows once (at migrate
time), and replay that script to build a new schema in one transaction (~100 ms).
``pool``: keep a few schemas pre-built so that a signup only renames one (~3 ms).
"""
