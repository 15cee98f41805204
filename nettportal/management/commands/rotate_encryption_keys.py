"""Re-encrypt every secret stored at rest under the primary (first) key.

Put the new key first in ENCRYPTION_KEYS, keep the old keys after it, run this,
then remove the old keys. Safe to run twice; works in chunks.
"""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts.tenancy import all_tenants
from nettportal.crypto import encrypted_fields, rotate


class Command(BaseCommand):
    help = "Re-encrypt all encrypted fields under the newest key in ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=500)

    def handle(self, *args, **options):
        chunk = options["chunk_size"]
        total = 0
        with all_tenants():  # a platform-wide maintenance command
            for model, field_name in encrypted_fields():
                column = model._meta.get_field(field_name).column
                table = model._meta.db_table
                pk_column = model._meta.pk.column
                rotated = 0
                last_pk = None
                while True:
                    with transaction.atomic(), connection.cursor() as cursor:
                        where = "" if last_pk is None else f"WHERE {pk_column} > %s "
                        cursor.execute(
                            f"SELECT {pk_column}, {column} FROM {table} {where}"  # noqa: S608
                            f"ORDER BY {pk_column} LIMIT %s",
                            ([last_pk] if last_pk is not None else []) + [chunk],
                        )
                        rows = cursor.fetchall()
                        if not rows:
                            break
                        for pk, token in rows:
                            last_pk = pk
                            if not token:
                                continue
                            cursor.execute(
                                f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608
                                [rotate(token), pk],
                            )
                            rotated += 1
                total += rotated
                self.stdout.write(f"{model._meta.label}.{field_name}: {rotated} re-encrypted")
        self.stdout.write(self.style.SUCCESS(f"{total} secret(s) now under the primary key"))
