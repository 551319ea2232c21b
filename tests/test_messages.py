from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse

from elbeday.messages import LazyFallbackStorage


def _request(rf, cookies=None):
    request = rf.get("/en/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda request: None).process_request(request)
    request._messages = LazyFallbackStorage(request)
    return request


def _answered(request):
    response = HttpResponse()
    request._messages.update(response)
    return response


def test_a_message_is_shown_on_the_next_page(rf):
    request = _request(rf)
    messages.success(request, "Your request has been withdrawn.")
    response = _answered(request)

    cookie = response.cookies[CookieStorage.cookie_name].value
    following = _request(rf, {CookieStorage.cookie_name: cookie})
    assert [str(message) for message in messages.get_messages(following)] == [
        "Your request has been withdrawn."
    ]
    # Shown once: the next answer clears the cookie.
    assert _answered(following).cookies[CookieStorage.cookie_name].value == ""


def test_messages_too_big_for_the_cookie_are_kept_in_the_session(rf):
    request = _request(rf)
    texts = [f"{number} " + "x" * 1000 for number in range(6)]
    for text in texts:
        messages.info(request, text)
    response = _answered(request)

    # The cookie holds what fits; the rest is in the session, and all are shown, in order.
    assert len(response.cookies[CookieStorage.cookie_name].value) < CookieStorage.max_cookie_size
    cookie = response.cookies[CookieStorage.cookie_name].value
    following = _request(rf, {CookieStorage.cookie_name: cookie})
    following.session = request.session
    assert [str(message) for message in messages.get_messages(following)] == texts


def test_a_request_without_messages_makes_no_storage_and_sets_no_cookie(rf):
    request = _request(rf)
    response = _answered(request)

    assert "storages" not in vars(request._messages)
    assert CookieStorage.cookie_name not in response.cookies
    assert not request.session.accessed
