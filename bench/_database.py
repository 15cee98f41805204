"""Create the scratch benchmark database named by DATABASE_URL when it is missing.

``make bench`` runs this first. It only ever creates a database; it never
drops or empties one. SQLite URLs need nothing.
"""

import os
import sys
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return 0
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created benchmark database {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
