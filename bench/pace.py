"""Registrations sent at a pace, as people send them: a fixed number a second, whatever
the site's answers take, each POST on a connection of its own, opened when it is sent.

wrk's connections send their next request as soon as one is answered, so the faster the
site answers, the more they send; and with a delay between requests (wrk's `delay()`),
each connection is opened before it waits, which holds a gunicorn sync worker idle for the
whole delay. Neither is how a rush of people looks. `bench.run` starts this beside wrk's
page measurement:

    .venv/bin/python -m bench.pace URL --rate 150 --seconds 9 --token T --cookie C \\
        --category N --prefix P

It prints JSON: POSTs sent, answered with the redirect of a registration, errors (any
other answer, or none within 10 s), the seconds from the first to the last answer, and
the median and 99th percentile of the answers' times in ms.
"""

import argparse
import asyncio
import json
import statistics
import time
import urllib.parse
import uuid

TIMEOUT = 10


def _request(url, fields, cookie):
    body = urllib.parse.urlencode(fields).encode()
    head = (
        f"POST {url.path} HTTP/1.1\r\n"
        f"Host: {url.netloc}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Cookie: csrftoken={cookie}\r\n"
        f"Referer: {url.geturl()}\r\n"
        "Accept-Encoding: gzip, deflate, br\r\n"
        "Connection: close\r\n\r\n"
    )
    return head.encode() + body


async def _send(url, request):
    """The answer's status (None for none) and when it came."""
    writer = None
    try:
        async with asyncio.timeout(TIMEOUT):
            reader, writer = await asyncio.open_connection(url.hostname, url.port)
            writer.write(request)
            await writer.drain()
            status = int((await reader.readline()).split()[1])
            await reader.read()  # the rest, until the server closes the connection
    except (OSError, TimeoutError, ValueError, IndexError):
        status = None
    finally:
        if writer is not None:
            writer.close()
    return status, time.perf_counter()


async def _rush(args):
    url = urllib.parse.urlsplit(args.url)
    sends = []
    started = time.perf_counter()
    for number in range(round(args.rate * args.seconds)):
        # On the clock, not after the previous answer: a slow answer delays no one else.
        wait = started + number / args.rate - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        fields = {
            "csrfmiddlewaretoken": args.token,
            "name": "Paced guest",
            "email": f"{args.prefix}-{number}@example.org",
            "category": args.category,
            "party_size": 1,
            "language": "en",
            "consent_privacy": "on",
            "submission_key": uuid.uuid4(),
        }
        sent = time.perf_counter()
        task = asyncio.create_task(_send(url, _request(url, fields, args.cookie)))
        sends.append((sent, task))
    answers = [(sent, *(await task)) for sent, task in sends]
    times = sorted(1000 * (done - sent) for sent, _status, done in answers)
    registered = sum(1 for _sent, status, _done in answers if status == 302)
    return {
        "sent": len(answers),
        "registered": registered,
        "errors": len(answers) - registered,
        "seconds": round(max(done for *_rest, done in answers) - started, 2),
        "p50_ms": round(statistics.median(times), 1),
        "p99_ms": round(times[int(0.99 * (len(times) - 1))], 1),
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("url", help="the registration form's address")
    parser.add_argument("--rate", type=float, required=True, help="POSTs a second")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--token", required=True, help="the form's CSRF token")
    parser.add_argument("--cookie", required=True, help="the csrftoken cookie")
    parser.add_argument("--category", required=True, help="the seat category's id")
    parser.add_argument("--prefix", required=True, help="email addresses start with it")
    print(json.dumps(asyncio.run(_rush(parser.parse_args()))))


if __name__ == "__main__":
    main()
