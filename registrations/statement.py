"""A registration stored by one PostgreSQL statement: the seats taken (or a place on the
waiting list), the registration, the first row of its history and its queued email.

Through the ORM the same work takes six statements (BEGIN, the seats, three inserts,
COMMIT), each a round trip, and each insert's SQL is compiled again for every
registration. Here one statement of data-modifying WITH queries does it all, and it is a
transaction on its own: the seats are taken first, by `events.models.take_seats`'s own
statement (its row lock and its condition), and an insert that fails (a unique
constraint) undoes the seats with the rest. The history row is the registration row as
inserted, with the history's own columns. The columns come from the models, so a field
added to a model is written here too; the SQL is made once per process for each set of
empty values (written as NULL, so that psycopg can keep the statement's parsed form,
which it does up to 50 parameters). Each of these few statements is prepared on the
server once per connection (the settings' prepare_threshold), so PostgreSQL does not
parse and plan it for every registration.

`registrations.services` uses it on PostgreSQL; SQLite, whose WITH queries cannot write,
takes the ORM's way."""

import contextlib
import functools

from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.utils import timezone
from simple_history.utils import get_change_reason_from_object

from events.models import take_seats_sql

from . import emails
from .models import OutgoingEmail, Registration

Status = Registration.Status
Kind = OutgoingEmail.Kind
# Read once: django-simple-history makes a new manager class each time `history` is read.
_HISTORY = Registration.history.model
# What the statement decides, rather than the registration: whether the seats were free.
_DECIDED = ("status", "confirmed_at", "waiting_since")
_HISTORY_OWN = ("history_date", "history_change_reason", "history_type", "history_user_id")


def _written_fields(model, leave_out=()):
    """The fields an insert writes: all but an automatic primary key (and `leave_out`)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field is not model._meta.auto_field and field.name not in leave_out
    ]


# Field classes whose own `pre_save` and `get_db_prep_save` give a value of this exact
# type (or None) back unchanged, on every database: their values go into the insert as
# they are, without the calls. A value of another type (a lazy translation, a choice's
# enum member) takes the ORM's way, as do other classes (PostgreSQL's integers are given
# a psycopg type of their field's size).
_AS_IS = {
    models.CharField: str,
    models.EmailField: str,
    models.TextField: str,
    models.BooleanField: bool,
}
_NOT_LOADED = object()


def _with_kinds(fields):
    """Each field with its attribute's name and the type its values go in as they are."""
    return tuple((field, field.attname, _AS_IS.get(type(field))) for field in fields)


@functools.cache
def _fields():
    return (
        _with_kinds(_written_fields(Registration, leave_out=_DECIDED)),
        _written_fields(_HISTORY),
        _with_kinds(_written_fields(OutgoingEmail, leave_out=("registration", "kind"))),
    )


def _values(instance, fields, database):
    """The fields' values as an insert of the ORM would send them (automatic dates set)."""
    state = instance.__dict__
    values = []
    for field, attname, as_is in fields:
        if as_is is not None:
            value = state.get(attname, _NOT_LOADED)
            if value is None or type(value) is as_is:
                values.append(value)
                continue
        values.append(field.get_db_prep_save(field.pre_save(instance, True), database))
    return values


def _literal(value):
    """A constant of the code (a status, a kind) as SQL, quoted by psycopg."""
    return connection.ops.compose_sql("%s", [str(value)]).replace("%", "%%")


@functools.lru_cache(maxsize=32)
def _statement(registration_nulls, email_nulls):
    """The statement, with NULL for the registration's and the email's empty values (by
    position; `email_nulls` None: no email)."""
    registration_fields, history_fields, email_fields = _fields()
    quote = connection.ops.quote_name

    def columns(fields):
        return ", ".join(quote(field.column) for field in fields)

    registration_fields = [field for field, _attname, _as_is in registration_fields]
    email_fields = [field for field, _attname, _as_is in email_fields]

    def placeholders(nulls):
        return ", ".join("NULL" if null else "%s" for null in nulls)

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    tracked = {field.attname for field in _HISTORY.tracked_fields}
    history_values = []
    for field in history_fields:
        if field.attname in tracked:
            history_values.append(column(Registration, field.name))
        elif field.attname == "history_type":
            history_values.append(_literal("+"))
        elif field.attname in _HISTORY_OWN:
            history_values.append("%s")
        else:
            raise TypeError(f"No value for {_HISTORY.__name__}.{field.name}")
    sql = (
        f"WITH seats AS ({take_seats_sql()} RETURNING 1), "
        "taken AS (SELECT EXISTS (SELECT FROM seats) AS seated, %s::timestamptz AS now), "
        f"registration AS (INSERT INTO {quote(Registration._meta.db_table)} "
        f"({columns(registration_fields)}, "
        f"{', '.join(column(Registration, name) for name in _DECIDED)}) "
        f"SELECT {placeholders(registration_nulls)}, "
        f"CASE WHEN seated THEN {_literal(Status.CONFIRMED)} "
        f"ELSE {_literal(Status.WAITING)} END, "
        "CASE WHEN seated THEN now END, CASE WHEN NOT seated THEN now END "
        "FROM taken WHERE seated OR %s RETURNING *), "
        f"history AS (INSERT INTO {quote(_HISTORY._meta.db_table)} ({columns(history_fields)}) "
        f"SELECT {', '.join(history_values)} FROM registration)"
    )
    if email_nulls is not None:
        sql += (
            f", email AS (INSERT INTO {quote(OutgoingEmail._meta.db_table)} "
            f"({columns(email_fields)}, {column(OutgoingEmail, 'registration')}, "
            f"{column(OutgoingEmail, 'kind')}) "
            f"SELECT {placeholders(email_nulls)}, {column(Registration, 'id')}, "
            f"CASE WHEN {column(Registration, 'status')} = {_literal(Status.CONFIRMED)} "
            f"THEN {_literal(Kind.CONFIRMATION)} ELSE {_literal(Kind.WAITING_LIST)} END "
            "FROM registration)"
        )
    sql += (
        f" SELECT {column(Registration, 'id')}, {column(Registration, 'status')} FROM registration"
    )
    return sql


def registration_insert(registration, *, notify, now):
    """Store `registration` (unsaved, checked by the service) confirmed if its seats are
    free, else on the waiting list if its category has one; queue its email if `notify`.
    Returns True when the seats were taken, False for the waiting list, and None when
    neither (nothing is stored). Raises IntegrityError as the ORM's insert would (a second
    active registration for the email, the same form sent again)."""
    registration_fields, history_fields, email_fields = _fields()
    category = registration.category
    email = emails.registration_email(registration, Kind.CONFIRMATION) if notify else None
    database = connections[DEFAULT_DB_ALIAS]  # once, rather than through the proxy per field
    registration_values = _values(registration, registration_fields, database)
    email_values = _values(email, email_fields, database) if email is not None else None
    sql = _statement(
        tuple(value is None for value in registration_values),
        None if email_values is None else tuple(value is None for value in email_values),
    )
    # As django-simple-history's own first row would have them.
    history = {
        "history_date": getattr(registration, "_history_date", None) or timezone.now(),
        "history_change_reason": get_change_reason_from_object(registration),
        "history_user_id": getattr(_HISTORY.get_default_history_user(registration), "pk", None),
    }
    params = [registration.party_size, category.pk, registration.party_size, now]
    params += [value for value in registration_values if value is not None]
    params.append(category.has_waiting_list)
    params += [history[field.attname] for field in history_fields if field.attname in history]
    params += [value for value in email_values or () if value is not None]
    # Inside a caller's transaction, in a savepoint: a failed insert leaves it usable.
    savepoint = transaction.atomic() if database.in_atomic_block else contextlib.nullcontext()
    with savepoint, database.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    registration.pk, registration.status = row
    registration._state.adding = False
    registration._state.db = database.alias
    seated = registration.status == Status.CONFIRMED
    if seated:
        registration.confirmed_at = now
    else:
        registration.waiting_since = now
    return seated
