import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Create an admin account if there is none, and print how to log in. The password "
        "comes from DJANGO_SUPERUSER_PASSWORD or is generated and printed once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument("--url", default="http://127.0.0.1:8000/en/admin/")

    def handle(self, *args, username, url, **options):
        User = get_user_model()
        existing = User.objects.filter(is_superuser=True).order_by("pk").first()
        if existing:
            self.stdout.write(
                f"Admin: log in at {url} as '{existing.get_username()}' with the password set "
                f"earlier (forgotten? python manage.py changepassword {existing.get_username()})."
            )
            return
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email="", password=password)
        shown = (
            "the password in DJANGO_SUPERUSER_PASSWORD"
            if os.environ.get("DJANGO_SUPERUSER_PASSWORD")
            else f"password {password}  (shown only this once)"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin account created: log in at {url} as '{username}' with {shown}"
            )
        )
