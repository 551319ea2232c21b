"""What a registration POST costs, and that making it cheap kept every rule: the form
runs the model's validation once (the service does not repeat it for the form), and a
form sent again is found by its key when the insert fails rather than looked for first."""

import copy
import uuid

import pytest
from crispy_forms.utils import render_crispy_form
from django import forms as django_forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms.boundfield import BoundField
from django.forms.renderers import get_default_renderer
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, override

from registrations import emails, forms, services, statement
from registrations.forms import RegistrationForm
from registrations.models import OutgoingEmail, Registration
from tests.factories import (
    CeremonyFactory,
    MemorialSiteFactory,
    RegistrationFactory,
    SeatCategoryFactory,
    register,
)

pytestmark = pytest.mark.django_db

# After the categories with their ceremony (kept until the next content edit, so a form
# sent after the form's page was shown does not read them again), the registration is
# stored: the seats taken, the registration, its history row and its queued email. On
# PostgreSQL that is one statement (registrations.statement); on SQLite four, in a
# transaction. A test runs in a transaction, so either is in a savepoint here.
STORE = {
    "postgresql": ["SAVEPOINT", "WITH", "RELEASE"],
    "sqlite": ["SAVEPOINT", "UPDATE", "INSERT", "INSERT", "INSERT", "RELEASE"],
}[connection.vendor]
POST_QUERIES = 1 + len(STORE)


def register_url(ceremony):
    return f"/en/ceremonies/{ceremony.slug}/register/"


def form_data(category, **changes):
    data = {
        "name": "Anna Schmidt",
        "email": "anna@example.org",
        "category": str(category.pk),
        "party_size": "1",
        "guest_names": "",
        "country": "DE",
        "language": "en",
        "consent_privacy": "on",
        "submission_key": str(uuid.uuid4()),
        "website": "",
    }
    data.update(changes)
    return data


def guests(count):
    return "\n".join(f"Guest {number}" for number in range(1, count))


@pytest.mark.parametrize("registered", [0, 30])
@pytest.mark.parametrize("party", [1, 5])
def test_registration_post_queries_do_not_grow_with_the_party_or_the_data(
    client, django_assert_max_num_queries, party, registered
):
    category = SeatCategoryFactory(capacity=100, max_party_size=5)
    for _number in range(registered):
        RegistrationFactory(category=category)
    data = form_data(category, party_size=str(party), guest_names=guests(party))

    with django_assert_max_num_queries(POST_QUERIES):
        response = client.post(register_url(category.ceremony), data)

    registration = Registration.objects.get(email="anna@example.org")
    assert (response.status_code, response["Location"]) == (
        302,
        f"/en/registrations/{registration.manage_token}/?new=1",
    )
    assert (registration.status, registration.party_size, registration.guest_names) == (
        "confirmed",
        party,
        guests(party),
    )
    assert list(registration.history.values_list("history_type", "status")) == [("+", "confirmed")]
    assert list(registration.emails.values_list("kind", flat=True)) == ["confirmation"]
    category.refresh_from_db()
    assert category.seats_taken == registered + party


def test_unknown_country_is_refused_with_a_message(client, page):
    category = SeatCategoryFactory()

    response = client.post(register_url(category.ceremony), form_data(category, country="XX"))

    assert response.status_code == 400
    assert page(response).errors() == {
        "country": [
            gettext("Select a valid choice. %(value)s is not one of the available choices.")
            % {"value": "XX"}
        ]
    }
    assert list(Registration.objects.all()) == []


def test_form_and_model_mistakes_are_shown_together(client, page, translated):
    """The model's rules (a phone number, carers within the party) are checked with the
    form's own, so that all the mistakes are shown at once."""
    category = SeatCategoryFactory()

    response = client.post(
        register_url(category.ceremony),
        form_data(category, email="anna@example", phone="call me", party_size="2", carers="2"),
    )

    assert response.status_code == 400
    assert page(response).errors() == {
        "email": [gettext("Enter a valid email address.")],
        "phone": [
            translated(
                "en",
                "Enter a phone number in digits, for example +49 3421 123456 "
                "(spaces, brackets and dashes are fine).",
            )
        ],
        "carers": [
            translated("en", "Carers are counted in the number of people: at most %(max)s here.")
            % {"max": 1}
        ],
    }
    assert list(Registration.objects.all()) == []


def test_service_still_validates_what_other_doors_give():
    category = SeatCategoryFactory()

    with pytest.raises(ValidationError) as caught:
        register(
            category=category, name="Anna", email="anna@example.org", party_size=1, phone="call me"
        )

    assert list(caught.value.message_dict) == ["phone"]
    assert list(Registration.objects.all()) == []
    category.refresh_from_db()
    assert category.seats_taken == 0


def test_form_sent_again_after_the_last_seats_went_leads_to_the_same_booking(client):
    """A double click that took the last seats: the second POST finds the category full,
    and is answered with the booking the first one made."""
    category = SeatCategoryFactory(capacity=2, max_party_size=2, has_waiting_list=False)
    data = form_data(category, party_size="2", guest_names="Ben Schmidt")

    first = client.post(register_url(category.ceremony), data)
    second = client.post(register_url(category.ceremony), data)

    registration = Registration.objects.get()
    assert (first.status_code, second.status_code) == (302, 302)
    assert (
        first["Location"]
        == second["Location"]
        == (f"/en/registrations/{registration.manage_token}/?new=1")
    )
    assert OutgoingEmail.objects.count() == 1


def test_someone_elses_copy_of_a_form_that_took_the_last_seats_is_told_it_is_full(client, page):
    category = SeatCategoryFactory(capacity=1, max_party_size=1, has_waiting_list=False)
    data = form_data(category)
    client.post(register_url(category.ceremony), data)

    response = client.post(
        register_url(category.ceremony), {**data, "name": "Ben Weiß", "email": "ben@example.org"}
    )

    assert response.status_code == 400
    with override("en"):
        assert page(response).errors() == {"category": ["This category is fully booked."]}
    assert list(Registration.objects.values_list("email", flat=True)) == ["anna@example.org"]


def test_someone_elses_copy_of_a_form_with_a_registered_email_is_refused():
    """The insert fails twice: on the form's key, then (with a key of its own) on the
    email already registered; the second failure is the message."""
    category = SeatCategoryFactory()
    key = uuid.uuid4()
    register(
        category=category,
        name="Anna Schmidt",
        email="anna@example.org",
        party_size=1,
        submission_key=key,
    )
    register(category=category, name="Ben Weiß", email="ben@example.org", party_size=1)

    with pytest.raises(services.RegistrationError) as caught:
        register(
            category=category, name="Eve", email="ben@example.org", party_size=1, submission_key=key
        )

    assert caught.value.code == "duplicate_email"
    assert Registration.objects.count() == 2
    category.refresh_from_db()
    assert category.seats_taken == 2


def test_form_page_shows_the_ceremony_from_what_was_read_with_the_categories(
    client, django_assert_num_queries, page
):
    """The form's page reads the ceremony with the categories and the site's name, only
    the columns it shows, and then the seats; nothing it shows is fetched on its own. The
    next visitor's page reads only the seats."""
    site = MemorialSiteFactory(name_en="Torgau Bridge")
    category = SeatCategoryFactory(
        ceremony=CeremonyFactory(venue_site=site, title_en="Elbe Day", pickup_point="Torgau")
    )
    with django_assert_num_queries(2):
        client.get(register_url(category.ceremony))
    register(category=category, name="Anna", email="anna@example.org", party_size=2)

    with django_assert_num_queries(1):
        response = client.get(register_url(category.ceremony))

    shown = page(response)
    assert shown.texts("label", **{"for": "id_category_0"}) == [
        f"{category.name} ({category.capacity - 2} seats left)"
    ]
    assert shown.texts("h1") == ["Register for Elbe Day"]
    assert shown.find("p", "lead").text.endswith(" · Torgau Bridge")
    assert shown.texts("label", **{"for": "id_needs_transport"}) == [
        "I need transport from the pick-up point: Torgau"
    ]


def test_refused_form_is_shown_again_without_further_queries(
    client, django_assert_num_queries, page
):
    """Shown again with the seats as they are now: the one query once the form's page has
    been shown to anybody."""
    category = SeatCategoryFactory(ceremony=CeremonyFactory(title_en="Elbe Day"), capacity=10)
    client.get(register_url(category.ceremony))
    register(category=category, name="Anna", email="anna@example.org", party_size=3)

    with django_assert_num_queries(1):
        response = client.post(register_url(category.ceremony), form_data(category, name=""))

    assert response.status_code == 400
    shown = page(response)
    assert shown.texts("h1") == ["Register for Elbe Day"]
    assert shown.texts("label", **{"for": "id_category_0"}) == [f"{category.name} (7 seats left)"]


def test_form_sent_after_the_page_was_shown_reads_no_category(client, django_assert_num_queries):
    category = SeatCategoryFactory(capacity=10)
    client.get(register_url(category.ceremony))

    with django_assert_num_queries(POST_QUERIES - 1) as queries:
        response = client.post(register_url(category.ceremony), form_data(category))

    assert response.status_code == 302
    assert [query["sql"].split()[0] for query in queries.captured_queries] == STORE
    category.refresh_from_db()
    assert category.seats_taken == 1


def test_what_one_form_shows_does_not_stay_for_the_next(client, page):
    """Each form changes copies of the fields (made faster than Django makes them, in
    registrations.forms): the mistakes marked on one person's form, one ceremony's pick-up
    point and categories do not stay for the next form shown, in that worker or any."""
    strehla = SeatCategoryFactory(
        name_en="Strehla meadow", ceremony=CeremonyFactory(pickup_point="Strehla church")
    )
    torgau = SeatCategoryFactory(name_en="Torgau bridge", ceremony=CeremonyFactory(pickup_point=""))

    refused = page(
        client.post(register_url(strehla.ceremony), form_data(strehla, name="", phone="call me"))
    )
    other = page(client.get(register_url(torgau.ceremony)))
    again = page(client.get(register_url(strehla.ceremony)))

    assert "is-invalid" in refused.find("input", id="id_name").classes
    for shown in (other, again):
        assert [
            element.attrs["id"]
            for element in shown.find_all("input")
            if "is-invalid" in element.classes or "aria-invalid" in element.attrs
        ] == []
        assert shown.errors() == {}
    assert other.texts("label", **{"for": "id_category_0"}) == ["Torgau bridge (10 seats left)"]
    assert other.find_all("input", id="id_needs_transport") == []
    assert again.texts("label", **{"for": "id_category_0"}) == ["Strehla meadow (10 seats left)"]
    assert again.texts("label", **{"for": "id_needs_transport"}) == [
        "I need transport from the pick-up point: Strehla church"
    ]


def _marks(field):
    """What showing a form writes into a field: its widget's attributes, its choices'."""
    return dict(field.widget.attrs), field.label


def test_forms_sent_share_fields_that_showing_a_form_never_changes(client, page):
    """Forms sent for one ceremony validate with fields they share (their copies were a
    tenth of a POST); a form with a mistake takes fields of its own before it is shown,
    so the marks of one person's mistakes never reach the shared fields, the next form
    sent, or the next form shown, whichever way the mistake came (a field's, the model's,
    the service's)."""
    category = SeatCategoryFactory(capacity=1, has_waiting_list=False)
    url = register_url(category.ceremony)
    sent = RegistrationForm(QueryDict(), categories=[category])
    shared = {name: _marks(field) for name, field in sent.fields.items()}

    wrong_name = page(client.post(url, form_data(category, name="", phone="call me")))
    wrong_email = page(client.post(url, form_data(category, email="anna@example")))
    assert client.post(url, form_data(category)).status_code == 302
    full = page(client.post(url, form_data(category, email="ben@example.org")))
    shown = page(client.get(url))

    assert {name: _marks(field) for name, field in sent.fields.items()} == shared
    invalid = [
        [
            element.attrs["id"]
            for element in result.find_all("input")
            if "is-invalid" in element.classes or "aria-invalid" in element.attrs
        ]
        for result in (wrong_name, wrong_email, full, shown)
    ]
    assert invalid == [["id_name", "id_phone"], ["id_email"], ["id_category_0"], []]
    assert list(full.errors()) == ["category"]
    assert shown.errors() == {}


def test_a_form_sent_has_the_fields_of_a_form_shown_in_their_order():
    """Sharing the fields changes neither which fields a form sent has nor their order,
    so its mistakes are listed as on the form shown; each sent form has its own category
    field, holding its own request's categories."""
    with_invitation = SeatCategoryFactory(
        invitation_code="ELBE", ceremony=CeremonyFactory(pickup_point="Torgau station")
    )
    plain = SeatCategoryFactory()
    for category in (with_invitation, plain):
        shown = RegistrationForm(categories=[category])
        sent = RegistrationForm(QueryDict(), categories=[category])
        again = RegistrationForm(QueryDict(), categories=[category])

        assert list(sent.fields) == list(shown.fields)
        assert sent.fields["category"] is not again.fields["category"]
        assert sent.fields["category"].categories == {category.pk: category}
        assert not sent.is_valid()
        assert list(sent.errors) == [name for name in shown.fields if name in sent.errors]
    assert "invitation_code" in RegistrationForm(QueryDict(), categories=[with_invitation]).fields
    assert "invitation_code" not in RegistrationForm(QueryDict(), categories=[plain]).fields


def test_form_fields_are_copied_as_django_copies_them():
    """The quicker copy of RegistrationForm's fields makes new objects where Django's own
    deep copy does, and shares what it shares, for every field and widget."""
    fields = RegistrationForm.base_fields
    copies = copy.deepcopy(fields)

    assert type(copies) is dict and list(copies) == list(fields)
    for name, field in fields.items():
        django_copy = field.__deepcopy__({})
        for original, ours, theirs in (
            (field, copies[name], django_copy),
            (field.widget, copies[name].widget, django_copy.widget),
        ):
            assert type(ours) is type(original), name
            assert vars(ours).keys() == vars(theirs).keys(), name
            assert {
                attribute: value is getattr(original, attribute)
                for attribute, value in vars(ours).items()
            } == {
                attribute: value is getattr(original, attribute)
                for attribute, value in vars(theirs).items()
            }, name


def test_fields_left_out_are_read_as_django_reads_them():
    """The form reads a field left out of the data without asking the data for it (which
    raises and catches exceptions); each widget's value is the one Django's own reading
    gives, for a form with every optional field left out and for one with all sent."""
    category = SeatCategoryFactory()
    full = QueryDict(mutable=True)
    full.update(
        form_data(
            category,
            phone="+49 3421 0",
            needs_wheelchair_space="on",
            consent_future="on",
            carers="1",
            needs_note="A chair, please",
        )
    )
    sparse = QueryDict(mutable=True)
    sparse.update({"name": "Anna Schmidt", "email": "anna@example.org"})
    for data in (full, sparse):
        form = RegistrationForm(data, categories=[category])
        for name, field in form.fields.items():
            assert form._widget_data_value(field.widget, name) == (
                field.widget.value_from_datadict(data, form.files, name)
            ), name
    form = RegistrationForm(sparse, categories=[category])
    assert not form.is_valid()
    assert form.cleaned_data["needs_wheelchair_space"] is False
    assert form.cleaned_data["phone"] == ""
    assert form.cleaned_data["carers"] == 0
    assert set(form.errors) == {
        "category",
        "party_size",
        "language",
        "consent_privacy",
        "submission_key",
    }


def test_bound_fields_show_what_djangos_show():
    """The form's bound fields find their label, help text and names when first read;
    what they give is what Django's own bound fields give."""
    form = RegistrationForm(categories=[SeatCategoryFactory()])
    for name, field in form.fields.items():
        ours, djangos = form[name], BoundField(form, field, name)
        for attribute in ("html_name", "html_initial_name", "html_initial_id", "label"):
            assert getattr(ours, attribute) == getattr(djangos, attribute), (name, attribute)
        assert str(ours.help_text) == str(djangos.help_text), name
        assert ours.label_tag() == djangos.label_tag(), name


def _as_sent(value):
    """A value for the database with its type (psycopg's JSON wrapper by what it holds)."""
    return type(value), getattr(value, "obj", value)


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "Anna Schmidt", "phone": "", "needs_seating": True, "guest_names": "Ben\nCarla"},
        # Values of other types than the column's own take the ORM's way.
        {"name": gettext_lazy("Guest"), "language": Registration.Status.CONFIRMED},
        {"name": "Anna", "email": None, "needs_note": None, "needs_seating": None},
    ],
    ids=["as-they-are", "lazy-and-choice", "empty"],
)
def test_the_statements_values_are_the_ones_the_orm_would_insert(monkeypatch, fields):
    """The one statement sends text and yes/no values given as str and bool as they are,
    without the ORM's calls for each field; what it sends for every field of the
    registration and of its email is what the ORM's insert sends."""
    moment = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: moment)  # for the automatic dates
    category = SeatCategoryFactory()
    registration = Registration(category=category, ceremony=category.ceremony, **fields)
    registration.email = fields.get("email", "anna@example.org")
    email = emails.registration_email(
        Registration(category=category, email="anna@example.org", language="de"),
        OutgoingEmail.Kind.CONFIRMATION,
    )
    registration_fields, _history_fields, email_fields = statement._fields()
    for instance, fields_written in ((registration, registration_fields), (email, email_fields)):
        orms = [
            field.get_db_prep_save(field.pre_save(instance, True), connection)
            for field, _attname, _as_is in fields_written
        ]
        ours = statement._values(instance, fields_written, connection)

        assert list(map(_as_sent, ours)) == list(map(_as_sent, orms))
        assert len(ours) == len(fields_written) > 10


def _djangos_rendering(widget, name, value, attrs=None):
    """The select as Django renders it, without the kept renderings."""
    return super(forms._KeptSelectMixin, widget).render(name, value, attrs, get_default_renderer())


@pytest.mark.parametrize("language", ["en", "de", "ru"])
@pytest.mark.parametrize("value", [None, "DE", "XX"])
def test_the_country_and_language_selects_kept_are_djangos_own(language, value):
    """The country list (250 options, each rendered through a template: most of what the
    form's page cost) and the languages are rendered once for each language, name, value
    and attributes, and kept: what is kept is what Django renders, and one language's,
    value's or attributes' rendering is never shown for another."""
    category = SeatCategoryFactory()
    shown = []
    with override(language):
        for data in (None, QueryDict(f"country={value}&language=de") if value else None):
            form = RegistrationForm(data, categories=[category])
            for name in ("country", "language"):
                widget = form.fields[name].widget
                for attrs in ({"id": f"id_{name}"}, {"id": f"id_{name}", "class": "is-invalid"}):
                    field_value = form[name].value()
                    kept = [
                        widget.render(name, field_value, attrs, get_default_renderer())
                        for _ in range(2)
                    ]
                    expected = _djangos_rendering(widget, name, field_value, attrs)
                    assert kept == [expected, expected], (name, data, attrs)
                    shown.append(expected)
    if language != "en":
        with override("en"):
            english = RegistrationForm(categories=[category])["country"].as_widget()
        assert english not in shown


def test_the_kept_selects_are_bounded():
    """Selects kept for any number of values sent (a bot sending every code) stay a
    bounded number."""
    widget = RegistrationForm(categories=[SeatCategoryFactory()]).fields["country"].widget
    with override("en"):
        for number in range(forms._KEPT_SELECTS_MAX + 50):
            widget.render("country", f"X{number}", {"id": "id_country"}, get_default_renderer())

    assert 0 < len(forms._kept_selects) <= forms._KEPT_SELECTS_MAX


def test_the_fields_kept_for_the_forms_page_are_crispy_forms_own_rendering():
    """On the form's page (a form not sent), each field but the seat categories is
    rendered once per set-up and language and kept: the page is what crispy-forms renders
    without them, in every language."""
    category = SeatCategoryFactory(
        invitation_code="ELBE", ceremony=CeremonyFactory(pickup_point="Torgau station")
    )
    key = uuid.uuid4()
    for language in ("en", "de", "ru"):
        with override(language):
            forms._kept_fields.clear()
            fresh = render_crispy_form(
                RegistrationForm(categories=[category], initial={"submission_key": key})
            )
            kept = render_crispy_form(
                RegistrationForm(categories=[category], initial={"submission_key": key})
            )

            assert kept == fresh
            assert forms._kept_fields
            assert "Torgau station" in kept


def test_what_a_page_shows_follows_the_ceremony_language_and_edits(
    client, page, django_capture_on_commit_callbacks
):
    """The kept fields are never another ceremony's, language's or form's: each page
    shows its own pick-up point and language, a page after a pick-up point was edited
    shows the new one, and a form sent with values shows them while the next page is
    empty."""
    strehla = SeatCategoryFactory(ceremony=CeremonyFactory(pickup_point="Strehla church"))
    torgau = SeatCategoryFactory(ceremony=CeremonyFactory(pickup_point="Torgau station"))

    def transport(ceremony, language="en"):
        shown = page(client.get(f"/{language}/ceremonies/{ceremony.slug}/register/"))
        return shown.texts("label", **{"for": "id_needs_transport"})

    assert transport(strehla.ceremony) == [
        "I need transport from the pick-up point: Strehla church"
    ]
    assert transport(torgau.ceremony) == ["I need transport from the pick-up point: Torgau station"]
    assert transport(torgau.ceremony, "de") == [
        "Ich benötige einen Transport ab dem Abholpunkt: Torgau station"
    ]
    strehla.ceremony.pickup_point = "Strehla, market square"
    with django_capture_on_commit_callbacks(execute=True):  # the content version moves on
        strehla.ceremony.save()
    assert transport(strehla.ceremony) == [
        "I need transport from the pick-up point: Strehla, market square"
    ]

    sent = page(client.post(register_url(torgau.ceremony), form_data(torgau, email="anna@x")))
    shown = page(client.get(register_url(torgau.ceremony)))
    assert sent.find("input", id="id_name").attrs["value"] == "Anna Schmidt"
    assert "value" not in shown.find("input", id="id_name").attrs
    assert shown.errors() == {}


def test_the_kept_fields_are_bounded():
    """However many ceremonies and pick-up points, the fields kept stay a bounded number."""
    categories = [
        SeatCategoryFactory(ceremony=CeremonyFactory(pickup_point=f"Stop {number}"))
        for number in range(forms._KEPT_FIELDS_MAX // 10 + 5)
    ]
    with override("en"):
        for category in categories:
            render_crispy_form(RegistrationForm(categories=[category]))

    assert 0 < len(forms._kept_fields) <= forms._KEPT_FIELDS_MAX


def test_the_form_kept_for_its_page_is_crispy_forms_own_rendering():
    """A form not sent is rendered once per set-up, language and seats left, and kept:
    it is what crispy-forms renders, in every language; it holds no submission key (each
    page adds its own)."""
    category = SeatCategoryFactory(
        invitation_code="ELBE", ceremony=CeremonyFactory(pickup_point="Torgau station")
    )
    key = uuid.uuid4()
    for language in ("en", "de", "ru"):
        with override(language):
            forms._kept_forms.clear()
            forms._kept_fields.clear()
            fresh = render_crispy_form(
                RegistrationForm(categories=[category], initial={"submission_key": key})
            )
            first = RegistrationForm(categories=[category]).unsent_html()
            kept = RegistrationForm(categories=[category]).unsent_html()

            assert kept == first == fresh
            assert len(forms._kept_forms) == 1
            assert "Torgau station" in kept
            assert 'name="submission_key"' not in kept


def test_each_form_page_shows_its_own_categories_and_seats_and_one_key(client, page):
    """The kept form is never another ceremony's or an earlier count's: two ceremonies of
    the same set-up show their own categories, a seat taken shows at once, and each page,
    shown afresh or again with a mistake, has one submission key of its own."""
    strehla = SeatCategoryFactory(name_en="Meadow", capacity=10)
    torgau = SeatCategoryFactory(name_en="Bridge", capacity=10)

    def categories(category):
        shown = page(client.get(register_url(category.ceremony)))
        assert len(shown.find_all("input", name="submission_key")) == 1
        return shown.texts("label", **{"for": "id_category_0"})

    assert categories(strehla) == ["Meadow (10 seats left)"]
    assert categories(torgau) == ["Bridge (10 seats left)"]
    sent = client.post(register_url(strehla.ceremony), form_data(strehla, party_size="2"))
    assert sent.status_code == 302
    assert categories(strehla) == ["Meadow (8 seats left)"]
    assert categories(torgau) == ["Bridge (10 seats left)"]

    data = form_data(torgau, email="anna@example")
    again = page(client.post(register_url(torgau.ceremony), data))
    keys = again.find_all("input", name="submission_key")
    assert [key.attrs["value"] for key in keys] == [data["submission_key"]]


def test_the_forms_kept_are_bounded():
    """However many seats-left figures the pages show, the forms kept stay a bounded
    number."""
    category = SeatCategoryFactory(capacity=forms._KEPT_FORMS_MAX + 10)
    with override("en"):
        for taken in range(forms._KEPT_FORMS_MAX + 5):
            category.seats_taken = taken
            RegistrationForm(categories=[category]).unsent_html()

    assert 0 < len(forms._kept_forms) <= forms._KEPT_FORMS_MAX


@pytest.mark.parametrize("value", [None, "", uuid.UUID(int=7), '<"&>'])
@pytest.mark.parametrize("attrs", [None, {"id": "id_submission_key"}])
def test_the_hidden_key_is_written_as_django_writes_it(value, attrs):
    """The submission key's input, written without Django's widget templates, is what
    Django's own hidden input renders."""
    own = forms._HiddenInput().render("submission_key", value, attrs)
    django = django_forms.HiddenInput().render("submission_key", value, attrs)

    assert own == django
