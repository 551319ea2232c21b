import csv
import io

import openpyxl
import pytest

from registrations import services
from tests.factories import RegistrationFactory, SeatCategoryFactory
from tests.helpers import ceremony_today, logged_in, page

pytestmark = pytest.mark.django_db

COLUMNS = ["party_size", "name", "booking_code", "category", "checked_in", "country", "needs"]
HEADER = [
    "People",
    "Name",
    "Booking code",
    "Seat category",
    "Checked in",
    "Country",
    "Accessibility needs",
]


@pytest.fixture
def registrants():
    """Confirmed, waiting, cancelled and checked-in registrants of today's ceremony."""
    ceremony = ceremony_today(slug="torgau-today")
    public = SeatCategoryFactory(ceremony=ceremony, name_en="Public", capacity=6)
    veterans = SeatCategoryFactory(ceremony=ceremony, name_en="Veterans", capacity=4, position=1)
    people = {
        "Сильвашко Александр": RegistrationFactory(
            category=public, name="Сильвашко Александр", party_size=2, country="RU"
        ),
        "Jürgen Müßig": RegistrationFactory(
            category=public,
            name="Jürgen Müßig",
            party_size=3,
            country="DE",
            needs_wheelchair_space=True,
            needs_note="Comes with a guide dog",
        ),
        "Ольга": RegistrationFactory(category=public, name="Ольга", party_size=2),
        "Anna Schmidt": RegistrationFactory(category=public, name="Anna Schmidt", country="AT"),
        "Brian O'Neill": RegistrationFactory(
            category=veterans,
            name="Brian O'Neill",
            party_size=2,
            country="US",
            needs_hearing_loop=True,
            needs_seating=True,
        ),
        "Zoë Adams": RegistrationFactory(category=veterans, name="Zoë Adams", party_size=4),
        "Carl Weiß": RegistrationFactory(category=veterans, name="Carl Weiß"),
    }
    services.registration_cancel(registration=people["Carl Weiß"])
    services.checkin_record(registration=people["Jürgen Müßig"], people=3)
    services.checkin_record(registration=people["Сильвашко Александр"], people=1)
    for registration in people.values():
        registration.refresh_from_db()
    return people


def expected_rows(registrants, names):
    rows = {
        "Anna Schmidt": [1, "Public", 0, "Austria", ""],
        "Brian O'Neill": [2, "Veterans", 0, "United States of America", "hearing loop, a seat"],
        "Jürgen Müßig": [3, "Public", 3, "Germany", "wheelchair space"],
        "Zoë Adams": [4, "Veterans", 0, "", ""],
        "Ольга": [2, "Public", 0, "", ""],
        "Сильвашко Александр": [2, "Public", 1, "Russia", ""],
    }
    return [
        [
            rows[name][0],
            name,
            registrants[name].booking_code,
            rows[name][1],
            rows[name][2],
            rows[name][3],
            rows[name][4],
        ]
        for name in names
    ]


WHICH = {
    "confirmed": ["Anna Schmidt", "Brian O'Neill", "Jürgen Müßig", "Сильвашко Александр"],
    "waiting": ["Zoë Adams", "Ольга"],
    "checked_in": ["Jürgen Müßig", "Сильвашко Александр"],
}


def download(organiser, which, file_format):
    return logged_in(organiser).get(
        "/en/staff/ceremonies/torgau-today/export/",
        {"which": which, "columns": COLUMNS, "file_format": file_format},
    )


@pytest.mark.parametrize("which", WHICH)
def test_export_csv_has_the_chosen_registrants_and_columns(organiser, registrants, which):
    response = download(organiser, which, "csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="torgau-today-{which}.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
    expected = [[str(value) for value in row] for row in expected_rows(registrants, WHICH[which])]
    assert rows == [HEADER, *expected]


@pytest.mark.parametrize("which", WHICH)
def test_export_xlsx_has_the_chosen_registrants_and_columns(organiser, registrants, which):
    response = download(organiser, which, "xlsx")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == f'attachment; filename="torgau-today-{which}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    expected = [
        [None if value == "" else value for value in row]
        for row in expected_rows(registrants, WHICH[which])
    ]
    assert sheet.title == "Registrants"
    assert rows == [HEADER, *expected]


def test_export_other_columns_in_the_order_chosen(organiser, registrants):
    response = logged_in(organiser).get(
        "/en/staff/ceremonies/torgau-today/export/",
        {"which": "waiting", "columns": ["status", "name", "language"], "file_format": "csv"},
    )

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Status", "Name", "Language"],
        ["on the waiting list", "Zoë Adams", "English"],
        ["on the waiting list", "Ольга", "English"],
    ]


def test_export_form_without_a_choice_offers_the_form(organiser, registrants):
    response = logged_in(organiser).get("/en/staff/ceremonies/torgau-today/export/")

    shown = page(response)
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert [
        box.attrs["value"]
        for box in shown.find_all("input", name="columns")
        if "checked" in box.attrs
    ] == ["name", "category", "party_size", "needs"]


def test_guest_list_lists_confirmed_guests_by_name_with_party_and_needs(organiser, registrants):
    response = logged_in(organiser).get("/en/staff/ceremonies/torgau-today/guest-list/")

    shown = page(response)
    code = {name: registration.booking_code_display for name, registration in registrants.items()}
    assert shown.table(shown.find("table", "guest-list")) == [
        ["Anna Schmidt", "1", "Public", "", code["Anna Schmidt"], "☐"],
        ["Brian O'Neill", "2", "Veterans", "hearing loop, a seat", code["Brian O'Neill"], "☐"],
        [
            "Jürgen Müßig",
            "3",
            "Public",
            "wheelchair space; Comes with a guide dog",
            code["Jürgen Müßig"],
            "☐",
        ],
        ["Сильвашко Александр", "2", "Public", "", code["Сильвашко Александр"], "☐"],
    ]
    assert shown.find("caption").text == "4 confirmed registrations, sorted by name"


FORMULAS = [
    '=HYPERLINK("http://evil.example/x","Click")',
    "+49 351 1945",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]


@pytest.fixture
def formula_names(db):
    """Registrants whose names a spreadsheet would take for formulas."""
    category = SeatCategoryFactory(ceremony=ceremony_today(slug="formulas"), capacity=20)
    return [
        RegistrationFactory(category=category, name=name, guest_names=name).name
        for name in FORMULAS
    ]


def formula_download(organiser, file_format):
    return logged_in(organiser).get(
        "/en/staff/ceremonies/formulas/export/",
        {"which": "confirmed", "columns": ["name", "guest_names"], "file_format": file_format},
    )


def test_export_xlsx_shows_names_that_look_like_formulas_as_typed(organiser, formula_names):
    response = formula_download(organiser, "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert sorted(cell.value for cell in cells) == sorted(formula_names * 2)
    assert {cell.data_type for cell in cells} == {"s"}


def test_export_csv_keeps_formulas_from_being_run(organiser, formula_names):
    response = formula_download(organiser, "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(rows[1:]) == sorted([f"'{name}", f"'{name}"] for name in formula_names)


def test_export_csv_leaves_ordinary_names_alone(organiser, registrants):
    response = download(organiser, "waiting", "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["Zoë Adams", "Ольга"]


def test_guest_list_shows_names_that_look_like_formulas_as_text(organiser, formula_names):
    response = logged_in(organiser).get("/en/staff/ceremonies/formulas/guest-list/")

    shown = page(response)
    names = [row[0] for row in shown.table(shown.find("table", "guest-list"))]
    assert sorted(names) == sorted(" ".join(name.split()) for name in formula_names)
    assert shown.find_all("a", within=shown.find("table", "guest-list")) == []


def csv_download(organiser, language, **choices):
    return logged_in(organiser).get(
        f"/{language}/staff/ceremonies/torgau-today/export/",
        {"which": "waiting", "columns": ["name", "party_size"], "file_format": "csv", **choices},
    )


@pytest.mark.parametrize(("language", "delimiter"), [("en", ","), ("de", ";"), ("ru", ";")])
def test_export_csv_is_separated_as_excel_expects_in_the_organisers_language(
    organiser, registrants, language, delimiter
):
    response = csv_download(organiser, language)

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert text.splitlines()[1] == delimiter.join(['"Zoë Adams"', '"4"'])
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))
    assert rows[1:] == [["Zoë Adams", "4"], ["Ольга", "2"]]


@pytest.mark.parametrize(("language", "delimiter"), [("en", ";"), ("de", ",")])
def test_export_csv_with_the_separator_chosen(organiser, registrants, language, delimiter):
    response = csv_download(organiser, language, delimiter=delimiter)

    text = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text), delimiter=delimiter))[1:] == [
        ["Zoë Adams", "4"],
        ["Ольга", "2"],
    ]


@pytest.mark.parametrize(("language", "checked"), [("en", ","), ("de", ";"), ("ru", ";")])
def test_export_form_offers_the_separator_of_the_page_language(
    organiser, registrants, language, checked
):
    shown = page(logged_in(organiser).get(f"/{language}/staff/ceremonies/torgau-today/export/"))

    boxes = shown.find_all("input", name="delimiter")
    assert [box.attrs["value"] for box in boxes] == [";", ","]
    assert [box.attrs["value"] for box in boxes if "checked" in box.attrs] == [checked]


def test_export_csv_with_an_unknown_separator_offers_the_form_again(organiser, registrants):
    response = csv_download(organiser, "en", delimiter="|")

    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert page(response).find_all("input", name="delimiter") != []


@pytest.fixture
def phones(db):
    """Registrants with and without a phone number, one that a spreadsheet would read as
    a sum."""
    category = SeatCategoryFactory(ceremony=ceremony_today(slug="phones"), capacity=20)
    RegistrationFactory(category=category, name="Anna Schmidt", phone="+49 3421 123456")
    RegistrationFactory(category=category, name="Ben Weber", phone="03421 654321")
    RegistrationFactory(category=category, name="Carl Weiß")
    erased = RegistrationFactory(category=category, name="Dora Ernst", phone="0351 111111")
    services.registration_erase(registration=erased)


def phone_download(organiser, file_format):
    return logged_in(organiser).get(
        "/en/staff/ceremonies/phones/export/",
        {"which": "confirmed", "columns": ["name", "phone"], "file_format": file_format},
    )


def test_export_csv_has_the_phone_numbers_kept_from_formulas(organiser, phones):
    response = phone_download(organiser, "csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Name", "Phone"],
        ["Anna Schmidt", "'+49 3421 123456"],
        ["Ben Weber", "03421 654321"],
        ["Carl Weiß", ""],
    ]


def test_export_xlsx_has_the_phone_numbers_as_typed(organiser, phones):
    response = phone_download(organiser, "xlsx")

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Name", "Phone"],
        ["Anna Schmidt", "+49 3421 123456"],
        ["Ben Weber", "03421 654321"],
        ["Carl Weiß", None],
    ]
    assert sheet["B2"].data_type == "s"


def test_export_form_offers_the_phone_column_beside_the_email(organiser, phones):
    shown = page(logged_in(organiser).get("/en/staff/ceremonies/phones/export/"))

    columns = [box.attrs["value"] for box in shown.find_all("input", name="columns")]
    assert columns[columns.index("email") + 1] == "phone"
