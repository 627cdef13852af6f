"""Exit 0 when the PostgreSQL server of the given DATABASE_URL answers, 1 otherwise."""

import sys

import psycopg
from dj_database_url import parse

config = parse(sys.argv[1])
try:
    psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        connect_timeout=3,
    ).close()
except psycopg.Error:
    sys.exit(1)
