import django.db.models.functions.text
from django.db import migrations, models

import registrations.models
from elbeday.migration_operations import keep_id_counters

remember_counters, restore_counters = keep_id_counters(
    "registrations_registration", "registrations_historicalregistration"
)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0006_add_waitlist_promotion_deadline'),
        ('registrations', '0002_outbox_claims'),
    ]

    operations = [
        remember_counters,
        migrations.AddField(
            model_name='historicalregistration',
            name='phone',
            field=models.CharField(blank=True, help_text='Optional: for reaching the guest on the day.', max_length=30, validators=[registrations.models.validate_phone], verbose_name='phone'),
        ),
        migrations.AddField(
            model_name='registration',
            name='phone',
            field=models.CharField(blank=True, help_text='Optional: for reaching the guest on the day.', max_length=30, validators=[registrations.models.validate_phone], verbose_name='phone'),
        ),
        migrations.AlterField(
            model_name='outgoingemail',
            name='kind',
            field=models.CharField(choices=[('confirmation', 'confirmation'), ('waiting_list', 'waiting list'), ('promotion', 'moved off the waiting list'), ('cancellation', 'cancellation'), ('reminder', 'reminder'), ('changed', 'ceremony changed'), ('postponed', 'ceremony postponed'), ('cancelled', 'ceremony cancelled'), ('message', 'message from the organisers'), ('lost_link', 'booking link sent again')], max_length=40, verbose_name='kind'),
        ),
        migrations.RemoveConstraint(
            model_name='registration',
            name='one_active_registration_per_email',
        ),
        migrations.AlterField(
            model_name='historicalregistration',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='email'),
        ),
        migrations.AlterField(
            model_name='registration',
            name='email',
            field=models.EmailField(blank=True, max_length=254, verbose_name='email'),
        ),
        migrations.AddConstraint(
            model_name='registration',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('email'), models.F('ceremony'), condition=models.Q(('status__in', ['confirmed', 'waiting']), models.Q(('email', ''), _negated=True)), name='one_active_registration_per_email', violation_error_message='This email address is already registered.'),
        ),
        restore_counters,
    ]
