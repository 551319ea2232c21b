"""What `events.services` tells the apps that build on ceremonies.

Both signals are sent inside the transaction that makes the change, so whatever a
receiver writes (notices queued, parties moved off a waiting list) is saved or undone
with it. `registrations` connects its receivers in its `AppConfig.ready()`; ceremonies
know nothing of the people registered for them.
"""

from django.dispatch import Signal

# A ceremony's time, place or status changed in a way its participants must be told.
# Arguments: ceremony, notice (an `events.services.Notice`). Receivers return how many
# people they will tell.
ceremony_changed = Signal()

# Seats were added to a category, which is locked until the transaction ends.
# Arguments: category, now. Receivers return the registrations that took the seats.
seats_added = Signal()
