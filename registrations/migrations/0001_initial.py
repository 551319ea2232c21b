"""Registrations, check-ins and the outbox, moved here from `events` with their rows.

The tables were made by `events` (0001 and 0002). This migration takes them over in
Django's state without touching them, then gives them this app's names, and moves their
content types, so that the permissions the roles hold and the admin's log follow.
"""

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
import django_countries.fields
import registrations.models
import registrations.validators
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models

MOVED = ["registration", "historicalregistration", "checkin", "outgoingemail"]


def _move_content_types(apps, db, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        old = ContentType.objects.using(db).filter(app_label=source, model=model).first()
        if old is None:
            continue
        # A content type made on the fly under the new name (a page opened before this
        # migration ran) holds nothing yet: the old one, which the permissions and the
        # admin's log point to, takes its place.
        ContentType.objects.using(db).filter(app_label=target, model=model).delete()
        old.app_label = target
        old.save(update_fields=["app_label"])


def move_content_types(apps, schema_editor):
    _move_content_types(apps, schema_editor.connection.alias, "events", "registrations")


def move_content_types_back(apps, schema_editor):
    _move_content_types(apps, schema_editor.connection.alias, "registrations", "events")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('events', '0005_registrations_leave_events'),
        ('admin', '0003_logentry_add_action_flag_choices'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalRegistration',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('status', models.CharField(choices=[('confirmed', 'confirmed'), ('waiting', 'on the waiting list'), ('cancelled', 'cancelled')], max_length=20, verbose_name='status')),
                        ('name', models.CharField(max_length=200, validators=[registrations.validators.validate_no_control_characters], verbose_name='name')),
                        ('email', models.EmailField(max_length=254, verbose_name='email')),
                        ('party_size', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='party size')),
                        ('guest_names', models.TextField(blank=True, max_length=2000, validators=[registrations.validators.validate_no_control_characters], verbose_name='names of the guests')),
                        ('country', django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='country')),
                        ('language', models.CharField(choices=[('en', 'English'), ('de', 'German'), ('ru', 'Russian')], default='en', max_length=10, verbose_name='language for emails')),
                        ('needs_wheelchair_space', models.BooleanField(default=False, verbose_name='wheelchair space')),
                        ('needs_step_free_route', models.BooleanField(default=False, verbose_name='step-free route')),
                        ('needs_hearing_loop', models.BooleanField(default=False, verbose_name='hearing loop')),
                        ('needs_seating', models.BooleanField(default=False, help_text='For people who cannot stand.', verbose_name='a seat')),
                        ('needs_note', models.TextField(blank=True, max_length=1000, validators=[registrations.validators.validate_no_control_characters], verbose_name='other needs')),
                        ('consent_privacy_at', models.DateTimeField(verbose_name='privacy notice accepted')),
                        ('consent_future', models.BooleanField(default=False, verbose_name='may be told about future ceremonies')),
                        ('public_id', models.UUIDField(db_index=True, default=uuid.uuid4, editable=False)),
                        ('booking_code', models.CharField(db_index=True, default=registrations.models.new_booking_code, editable=False, max_length=8, verbose_name='booking code')),
                        ('waiting_since', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('confirmed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('cancelled_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('reminder_sent_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('checked_in', models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='checked in')),
                        ('anonymised_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='anonymised')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='registered')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('category', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='events.seatcategory', verbose_name='seat category')),
                        ('ceremony', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='events.ceremony', verbose_name='ceremony')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'events_historicalregistration',
                        'verbose_name': 'historical registration',
                        'verbose_name_plural': 'historical registrations',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Registration',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('confirmed', 'confirmed'), ('waiting', 'on the waiting list'), ('cancelled', 'cancelled')], max_length=20, verbose_name='status')),
                        ('name', models.CharField(max_length=200, validators=[registrations.validators.validate_no_control_characters], verbose_name='name')),
                        ('email', models.EmailField(max_length=254, verbose_name='email')),
                        ('party_size', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='party size')),
                        ('guest_names', models.TextField(blank=True, max_length=2000, validators=[registrations.validators.validate_no_control_characters], verbose_name='names of the guests')),
                        ('country', django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='country')),
                        ('language', models.CharField(choices=[('en', 'English'), ('de', 'German'), ('ru', 'Russian')], default='en', max_length=10, verbose_name='language for emails')),
                        ('needs_wheelchair_space', models.BooleanField(default=False, verbose_name='wheelchair space')),
                        ('needs_step_free_route', models.BooleanField(default=False, verbose_name='step-free route')),
                        ('needs_hearing_loop', models.BooleanField(default=False, verbose_name='hearing loop')),
                        ('needs_seating', models.BooleanField(default=False, help_text='For people who cannot stand.', verbose_name='a seat')),
                        ('needs_note', models.TextField(blank=True, max_length=1000, validators=[registrations.validators.validate_no_control_characters], verbose_name='other needs')),
                        ('consent_privacy_at', models.DateTimeField(verbose_name='privacy notice accepted')),
                        ('consent_future', models.BooleanField(default=False, verbose_name='may be told about future ceremonies')),
                        ('public_id', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('booking_code', models.CharField(default=registrations.models.new_booking_code, editable=False, max_length=8, unique=True, verbose_name='booking code')),
                        ('submission_key', models.UUIDField(blank=True, editable=False, null=True, unique=True)),
                        ('waiting_since', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('confirmed_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('cancelled_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('reminder_sent_at', models.DateTimeField(blank=True, editable=False, null=True)),
                        ('checked_in', models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='checked in')),
                        ('anonymised_at', models.DateTimeField(blank=True, editable=False, null=True, verbose_name='anonymised')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='registered')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('category', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='registrations', to='events.seatcategory', verbose_name='seat category')),
                        ('ceremony', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='registrations', to='events.ceremony', verbose_name='ceremony')),
                    ],
                    options={
                        'db_table': 'events_registration',
                        'verbose_name': 'registration',
                        'verbose_name_plural': 'registrations',
                        'ordering': ['-created_at', 'pk'],
                        'permissions': [('checkin_registration', 'Can check guests in at the gate'), ('export_registration', 'Can export registrant lists'), ('message_registration', 'Can send messages to registrants'), ('view_dashboard', "Can see the organisers' dashboard")],
                    },
                ),
                migrations.CreateModel(
                    name='OutgoingEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('confirmation', 'confirmation'), ('waiting_list', 'waiting list'), ('promotion', 'moved off the waiting list'), ('cancellation', 'cancellation'), ('reminder', 'reminder'), ('changed', 'ceremony changed'), ('postponed', 'ceremony postponed'), ('cancelled', 'ceremony cancelled'), ('message', 'message from the organisers')], max_length=40, verbose_name='kind')),
                        ('to', models.EmailField(max_length=254, verbose_name='to')),
                        ('language', models.CharField(max_length=10, verbose_name='language')),
                        ('subject', models.CharField(max_length=300, verbose_name='subject')),
                        ('body_text', models.TextField(verbose_name='text')),
                        ('body_html', models.TextField(blank=True, verbose_name='HTML')),
                        ('attachments', models.JSONField(blank=True, default=list, verbose_name='attachments')),
                        ('status', models.CharField(choices=[('queued', 'queued'), ('sent', 'sent'), ('failed', 'failed')], default='queued', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('last_error', models.TextField(blank=True, verbose_name='last error')),
                        ('next_attempt_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='next attempt')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='queued at')),
                        ('registration', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='registrations.registration', verbose_name='registration')),
                    ],
                    options={
                        'db_table': 'events_outgoingemail',
                        'verbose_name': 'email',
                        'verbose_name_plural': 'emails',
                        'ordering': ['-created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='CheckIn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('people', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1)], verbose_name='people')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='at')),
                        ('by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='checked in by')),
                        ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='checkins', to='registrations.registration', verbose_name='registration')),
                    ],
                    options={
                        'db_table': 'events_checkin',
                        'verbose_name': 'check-in',
                        'verbose_name_plural': 'check-ins',
                        'ordering': ['at', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='registration',
                    index=models.Index(fields=['category', 'status', 'waiting_since'], name='events_regi_categor_078b64_idx'),
                ),
                migrations.AddConstraint(
                    model_name='registration',
                    constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('ceremony'), condition=models.Q(('status__in', ['confirmed', 'waiting'])), name='one_active_registration_per_email', violation_error_message='This email address is already registered.'),
                ),
                migrations.AddConstraint(
                    model_name='registration',
                    constraint=models.CheckConstraint(condition=models.Q(('party_size__gte', 1)), name='registration_party_at_least_one'),
                ),
                migrations.AddConstraint(
                    model_name='registration',
                    constraint=models.CheckConstraint(condition=models.Q(('checked_in__lte', models.F('party_size'))), name='registration_checked_in_within_party'),
                ),
                migrations.AddIndex(
                    model_name='outgoingemail',
                    index=models.Index(fields=['status', 'next_attempt_at'], name='events_outg_status_1a4ddb_idx'),
                ),
                migrations.AddConstraint(
                    model_name='checkin',
                    constraint=models.CheckConstraint(condition=models.Q(('people__gte', 1)), name='checkin_at_least_one'),
                ),
            ]
        ),
        migrations.AlterModelTable(name='historicalregistration', table=None),
        migrations.AlterModelTable(name='registration', table=None),
        migrations.AlterModelTable(name='outgoingemail', table=None),
        migrations.AlterModelTable(name='checkin', table=None),
        migrations.RenameIndex(
            model_name='registration',
            new_name='registration_waiting_idx',
            old_name='events_regi_categor_078b64_idx',
        ),
        migrations.RenameIndex(
            model_name='outgoingemail',
            new_name='outbox_due_idx',
            old_name='events_outg_status_1a4ddb_idx',
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
