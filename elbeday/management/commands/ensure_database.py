from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections


class Command(BaseCommand):
    help = (
        "Create the PostgreSQL database of DATABASE_URL if it does not exist yet (SQLite "
        "creates its file itself). `make run` runs it before migrating."
    )
    # Runs before the database exists.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            return
        name = connection.settings_dict["NAME"]
        try:
            # Django's own way in before the database exists (the test runner uses it): a
            # connection to the `postgres` maintenance database with the same credentials.
            with connection._nodb_cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
                if cursor.fetchone():
                    return
                cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")
        except DatabaseError as error:
            settings = connection.settings_dict
            createdb = " ".join(
                [
                    "createdb",
                    *(
                        f"{flag} {settings[key]}"
                        for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER"))
                        if settings.get(key)
                    ),
                    name,
                ]
            )
            raise CommandError(
                f"The PostgreSQL database '{name}' could not be checked or created: "
                f"{str(error).strip()}\nCreate it yourself with: {createdb}\n"
                "(or leave DATABASE_URL unset to use SQLite)."
            ) from None
        self.stdout.write(f"Created the PostgreSQL database '{name}'.")
