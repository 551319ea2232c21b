"""The gate without network, in Chromium on a phone: a volunteer gets the phone ready for
offline, the context goes offline (Playwright's `set_offline`), the page comes from its
service worker, guests are let in with the page's own scanner (fed a video of a ticket's
QR code as its camera) and by booking code, and the check-ins reach the server once each
when the network returns. Two phones letting the same party in offline make a conflict
the organisers see; a phone signed out by the organisers loses its list; a ticket
cancelled after the download is flagged, then refused. axe-core checks the gate page in
three languages, and a keyboard alone gets the phone ready and lets a party in.

The texts of static/js/gate.js are asserted in English; tests/test_translations.py checks
that /<lang>/jsi18n/ serves every German and Russian one."""

import io
import os
import re
import time

import pytest
import segno
from django.urls import reverse
from django.utils import translation
from PIL import Image
from playwright.sync_api import expect

from elbeday.roles import ORGANISERS, VOLUNTEERS
from registrations import services, tickets
from registrations.models import CheckIn, Registration
from tests.browser.conftest import CHROMIUM_ARGS, PHONE, page_opener, sign_in
from tests.factories import RegistrationFactory, SeatCategoryFactory, UserFactory
from tests.helpers import ceremony_today

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_CONTEXT = {"viewport": PHONE, "is_mobile": True, "has_touch": True}
# The smallest comfortable touch target (WCAG 2.5.5, Apple's guidelines).
TOUCH_TARGET = 44
FRAME_SIZE = (640, 480)

# What the page keeps in IndexedDB (static/js/gate-store.js), read or written directly;
# nothing when the database is gone (signing out clears the site's data).
IDB = """
async ([store, items]) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open("elbeday-gate");
    request.onupgradeneeded = () => request.transaction.abort();
    request.onsuccess = () => resolve(request.result);
    request.onerror = () =>
      request.error.name === "AbortError" ? resolve(null) : reject(request.error);
  });
  if (!db) {
    return [];
  }
  try {
    return await new Promise((resolve, reject) => {
      const transaction = db.transaction(store, items ? "readwrite" : "readonly");
      const objects = transaction.objectStore(store);
      let request = null;
      if (items) {
        items.forEach((item) => objects.put(item));
      } else {
        request = objects.getAll();
      }
      transaction.oncomplete = () => resolve(request ? request.result : null);
      transaction.onerror = () => reject(transaction.error);
    });
  } finally {
    db.close();
  }
}
"""


def stored(page, store):
    return page.evaluate(IDB, [store, None])


def store(page, store, items):
    page.evaluate(IDB, [store, items])


@pytest.fixture
def category():
    ceremony = ceremony_today(
        title_en="Wreath-laying at the Elbe",
        title_de="Kranzniederlegung an der Elbe",
        title_ru="Возложение венков на Эльбе",
    )
    return SeatCategoryFactory(
        ceremony=ceremony,
        name_en="Veterans' families",
        name_de="Familien der Veteranen",
        name_ru="Семьи ветеранов",
        capacity=40,
    )


@pytest.fixture
def anna(category):
    return RegistrationFactory(
        category=category, name="Anna Schmidt", party_size=2, needs_wheelchair_space=True
    )


@pytest.fixture
def boris(category):
    return RegistrationFactory(category=category, name="Boris Iwanow", party_size=3)


def volunteer(username):
    return UserFactory(username=username, groups=[VOLUNTEERS])


def gate_url(base_url, language="en"):
    with translation.override(language):
        return base_url + reverse("checkin:home")


def status(page):
    return page.locator("#gate-status")


def open_gate(open_page, base_url, user, language="en"):
    page = open_page(**PHONE_CONTEXT)
    sign_in(page, base_url, user)
    page.goto(gate_url(base_url, language))
    expect(status(page)).to_have_text("Not ready for offline")
    return page


def get_ready(page, label=""):
    if label:
        page.get_by_label("Name of this gate (optional)").fill(label)
    page.get_by_role("button", name="Get ready for offline").click()
    expect(page.locator("#gate-list-info")).to_have_text(
        re.compile(r"^List of \d+ part(y|ies), updated \d\d:\d\d\.$")
    )
    expect(status(page)).to_have_text("Online · synced just now")


def look_up(page, code):
    page.get_by_label("Booking code", exact=True).fill(code)
    page.get_by_role("button", name="Look up").click()


def answer(page):
    return page.locator("#gate-answer")


def go_offline(page):
    page.context.set_offline(True)
    expect(status(page)).to_have_text(re.compile(r"^Offline · "))


def go_online(page):
    page.context.set_offline(False)
    expect(status(page)).to_have_text("Online · synced just now")


def ticket_video(path, registration):
    """A few frames of the ticket's QR code on white, as Chromium's fake camera reads them
    (YUV4MPEG2, 4:2:0)."""
    qr = io.BytesIO()
    segno.make(tickets.checkin_url(registration), error="m").save(qr, kind="png", scale=8, border=4)
    code = Image.open(io.BytesIO(qr.getvalue())).convert("RGB")
    code.thumbnail((440, 440))
    frame = Image.new("RGB", FRAME_SIZE, "white")
    frame.paste(code, ((FRAME_SIZE[0] - code.width) // 2, (FRAME_SIZE[1] - code.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (FRAME_SIZE[0] // 2, FRAME_SIZE[1] // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    header = f"YUV4MPEG2 W{FRAME_SIZE[0]} H{FRAME_SIZE[1]} F10:1 Ip A1:1 C420jpeg\n"
    path.write_bytes(header.encode() + (b"FRAME\n" + planes) * 5)
    return path


@pytest.fixture
def camera_page_opener(browser, live_server, network, csp_violations, tmp_path, anna):
    """Pages of a Chromium of their own whose camera shows Anna's ticket."""
    video = ticket_video(tmp_path / "ticket.y4m", anna)
    camera = browser.browser_type.launch(
        executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        with page_opener(camera, live_server.url, network, csp_violations) as opener:
            yield opener
    finally:
        camera.close()


def test_gate_works_offline_and_sends_each_checkin_once(
    live_server, camera_page_opener, anna, boris
):
    page = open_gate(camera_page_opener, live_server.url, volunteer("vera"))
    get_ready(page, "North gate")

    go_offline(page)
    # Renamed on the server meanwhile: the page shown offline is the one the phone kept.
    type(anna.ceremony).objects.filter(pk=anna.ceremony_id).update(title_en="Renamed")
    response = page.reload()
    assert response.from_service_worker
    expect(page.locator("#live-counts strong")).to_have_text("Wreath-laying at the Elbe")
    expect(status(page)).to_have_text("Offline · no check-ins waiting")

    # Chromium on Linux has no BarcodeDetector: the page reads the camera with jsQR.
    started = time.perf_counter()
    page.get_by_role("button", name="Start the camera").click()
    expect(answer(page).get_by_role("heading", level=2)).to_have_text("Anna Schmidt")
    print(f"offline scan: {(time.perf_counter() - started) * 1000:.0f} ms")
    expect(answer(page).get_by_role("heading", level=2)).to_be_focused()
    expect(page.locator("#gate-video")).to_be_hidden()
    page.get_by_role("button", name="Admit 2 people").click()
    expect(page.locator("#gate-result")).to_have_text(
        "2 people checked in (offline; will be sent)."
    )

    look_up(page, boris.booking_code_display)
    expect(answer(page).get_by_role("heading", level=2)).to_have_text("Boris Iwanow")
    page.get_by_label("People to admit").fill("2")
    page.get_by_role("button", name="Admit 2 people").click()
    expect(status(page)).to_have_text("Offline · 2 check-ins waiting")
    queued = stored(page, "queue")
    assert CheckIn.objects.count() == 0

    go_online(page)
    checkins = [("Anna Schmidt", 2, "North gate", ""), ("Boris Iwanow", 2, "North gate", "")]
    assert (
        sorted(
            CheckIn.objects.values_list("registration__name", "people", "device__label", "conflict")
        )
        == checkins
    )
    assert stored(page, "queue") == []

    # The answers were lost, say: the same queue again records nothing new.
    store(page, "queue", queued)
    page.reload()
    expect(page.locator("#live-counts strong")).to_have_text("Renamed")
    expect(status(page)).to_have_text("Online · synced just now")
    assert stored(page, "queue") == []
    assert (
        sorted(
            CheckIn.objects.values_list("registration__name", "people", "device__label", "conflict")
        )
        == checkins
    )
    assert [
        r.checked_in
        for r in Registration.objects.filter(pk__in=[anna.pk, boris.pk]).order_by("name")
    ] == [2, 2]


def admit_offline(page, registration, people):
    look_up(page, registration.booking_code)
    expect(answer(page).get_by_role("heading", level=2)).to_have_text(registration.name)
    page.get_by_role("button", name=f"Admit {people} people").click()
    expect(page.locator("#gate-result")).to_have_text(
        f"{people} people checked in (offline; will be sent)."
    )


def organiser_page(open_page, base_url):
    page = open_page()
    sign_in(page, base_url, UserFactory(username="olga", groups=[ORGANISERS]))
    return page


def test_two_phones_letting_the_same_party_in_offline_make_a_conflict(live_server, open_page, anna):
    phones = []
    for username, label in [("vera", "North gate"), ("wim", "South gate")]:
        page = open_gate(open_page, live_server.url, volunteer(username))
        get_ready(page, label)
        phones.append(page)
    for page in phones:
        go_offline(page)
    for page in phones:
        admit_offline(page, anna, 2)
        expect(status(page)).to_have_text("Offline · 1 check-in waiting")

    for page in phones:
        go_online(page)

    anna.refresh_from_db()
    assert anna.checked_in == anna.party_size == 2
    assert [
        (checkin.device.label, checkin.by.username, checkin.people, checkin.conflict)
        for checkin in CheckIn.objects.filter(registration=anna).order_by("at")
    ] == [("North gate", "vera", 2, ""), ("South gate", "wim", 2, "excess")]
    north, south = phones
    expect(south.locator("#gate-flagged-list")).to_contain_text("Anna Schmidt (2)")
    expect(north.locator("#gate-flagged")).to_be_hidden()
    # Each phone sees the other's check-in: the party is in, there is nothing to admit.
    look_up(north, anna.booking_code)
    expect(answer(north)).to_contain_text("The whole party (2 people) is already in.")
    expect(answer(north).get_by_role("button")).to_have_count(0)
    expect(north.locator("#gate-devices")).to_have_text(
        re.compile(r"North gate: 2 \(this phone\)\s*South gate: 2")
    )
    expect(north.locator("#gate-volunteers")).to_have_text(re.compile(r"vera: 2\s*wim: 2"))

    dashboard = organiser_page(open_page, live_server.url)
    dashboard.goto(live_server.url + reverse("staff:dashboard"))
    rows = dashboard.locator(f"#conflict-{anna.pk} tbody tr")
    expect(rows.locator("td:nth-child(2)")).to_have_text(["North gate", "South gate"])


def test_a_phone_signed_out_by_the_organisers_loses_its_list(live_server, open_page, anna, boris):
    page = open_gate(open_page, live_server.url, volunteer("vera"))
    get_ready(page, "North gate")
    go_offline(page)
    admit_offline(page, boris, 3)

    organiser = organiser_page(open_page, live_server.url)
    organiser.goto(live_server.url + reverse("staff:gate_devices"))
    organiser.get_by_role("button", name="Sign out “North gate”").click()
    expect(organiser.locator("#main")).to_contain_text("“North gate” is signed out")

    # Signing out would lose the check-in still waiting: the volunteer is asked first.
    page.get_by_role("button", name="Sign out").click()
    warning = page.locator("#gate-sign-out")
    expect(warning).to_contain_text(
        "1 check-in has not been sent yet: there is no network. If you sign out now, it is lost."
    )
    expect(warning).to_be_focused()
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    assert len(stored(page, "queue")) == 1

    page.context.set_offline(False)
    expect(page.locator("#gate-notice")).to_have_text(
        "This phone was signed out by the organisers; 1 check-in could not be sent."
    )
    expect(status(page)).to_have_text("Not ready for offline")
    assert [stored(page, name) for name in ("meta", "entries", "queue")] == [[], [], []]
    assert CheckIn.objects.count() == 0


def tab_to(page, target):
    """Presses Tab until `target` has the focus."""
    for _press in range(60):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {target}")


def assert_big_enough(button):
    box = button.bounding_box()
    assert box["height"] >= TOUCH_TARGET, box


def test_gate_with_the_keyboard_alone_and_in_three_languages(
    live_server, open_page, network, assert_accessible, anna, boris
):
    page = open_gate(open_page, live_server.url, volunteer("vera"))
    assert_accessible(page)

    get_ready_button = page.get_by_role("button", name="Get ready for offline")
    assert_big_enough(get_ready_button)
    tab_to(page, get_ready_button)
    page.keyboard.press("Enter")
    expect(status(page)).to_have_text("Online · synced just now")
    expect(page.locator("#gate-list-info")).to_contain_text("List of 2 parties")
    tab_to(page, page.get_by_label("Booking code", exact=True))
    page.keyboard.type(boris.booking_code_display)
    page.keyboard.press("Enter")
    heading = answer(page).get_by_role("heading", level=2)
    expect(heading).to_have_text("Boris Iwanow")
    expect(heading).to_be_focused()
    admit = page.get_by_role("button", name="Admit 3 people")
    assert_big_enough(admit)
    assert_big_enough(page.get_by_role("button", name="Start the camera"))
    assert_big_enough(page.get_by_role("button", name="Look up"))
    assert_accessible(page)
    tab_to(page, admit)
    page.keyboard.press("Enter")
    expect(page.locator("#gate-result")).to_have_text("3 people admitted.")
    expect(page.locator("#gate-result")).to_be_focused()
    assert list(CheckIn.objects.values_list("registration", "people", "conflict")) == [
        (boris.pk, 3, "")
    ]
    assert_accessible(page)

    # The list follows the page's language: the phone downloads it again.
    for language, category in [("de", "Familien der Veteranen"), ("ru", "Семьи ветеранов")]:
        page.goto(gate_url(live_server.url, language))
        expect(page.locator("html")).to_have_attribute("lang", language)
        page.locator("#gate-code-input").fill(anna.booking_code)
        page.locator("#gate-code-input").press("Enter")
        expect(answer(page).get_by_role("heading", level=2)).to_have_text("Anna Schmidt")
        expect(answer(page)).to_contain_text(category)
        expect(answer(page).get_by_role("button")).to_have_count(1)
        assert_accessible(page)
    network.assert_only_from(live_server.url)


def test_a_ticket_cancelled_after_the_download_is_flagged_then_refused(
    live_server, open_page, anna
):
    page = open_gate(open_page, live_server.url, volunteer("vera"))
    get_ready(page, "North gate")
    go_offline(page)
    services.registration_cancel(registration=anna, notify=False)
    admit_offline(page, anna, 2)

    go_online(page)

    assert list(CheckIn.objects.values_list("registration", "people", "conflict")) == [
        (anna.pk, 2, "cancelled")
    ]
    expect(page.locator("#gate-flagged-list")).to_contain_text("Anna Schmidt (2)")
    # The answer still on screen changes with the list, and so does the next lookup.
    expect(answer(page).locator(".gate-refuse")).to_contain_text("Do not admit")
    look_up(page, anna.booking_code)
    expect(answer(page).locator(".gate-refuse")).to_contain_text("Do not admit")
    expect(answer(page).get_by_role("button")).to_have_count(0)

    # Nothing waits: signing out takes the list and the kept page off the phone.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/en/accounts/login/"))
    assert [stored(page, name) for name in ("meta", "entries", "queue")] == [[], [], []]
    assert page.evaluate("navigator.serviceWorker.getRegistrations()") == []
