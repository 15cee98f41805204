"""Install front-end files from the npm registry into static/vendor/.

No CDN at run time: at set-up we download each pinned package tarball from
registry.npmjs.org, check its sha512 integrity against ``static/vendor.json``,
and copy the listed files. Already-present files are left alone.
"""

import base64
import hashlib
import io
import json
import tarfile
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

MANIFEST = Path(settings.BASE_DIR) / "static" / "vendor.json"
TARGET = Path(settings.BASE_DIR) / "static" / "vendor"


class Command(BaseCommand):
    help = "Download pinned front-end packages from the npm registry into static/vendor/."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="download even if present")

    def handle(self, *args, **options):
        packages = json.loads(MANIFEST.read_text())
        TARGET.mkdir(parents=True, exist_ok=True)
        for package in packages:
            wanted = {source: TARGET / dest for source, dest in package["files"].items()}
            if not options["force"] and all(path.exists() for path in wanted.values()):
                continue
            url = package["tarball"]
            if not url.startswith("https://registry.npmjs.org/"):
                raise CommandError(f"{package['name']}: only the npm registry is allowed")
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310
                data = response.read()
            algorithm, expected = package["integrity"].split("-", 1)
            digest = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
            if digest != expected:
                raise CommandError(f"{package['name']}: integrity check failed")
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
                for source, path in wanted.items():
                    member = archive.extractfile(f"package/{source}")
                    if member is None:
                        raise CommandError(f"{package['name']}: {source} missing")
                    path.write_bytes(member.read())
            self.stdout.write(f"installed {package['name']}@{package['version']}")
