"""Path converters for the project's URLs."""


class YearConverter:
    """A year as the site writes it: 1 to 9999, without leading zeros.

    Anything else (0, 02016, 10000, thirty digits) matches no address and is a plain 404:
    it never reaches a view, so it can neither overflow the database's integer nor give
    a second address for a year's page. Reversing refuses a year outside the range."""

    regex = "[1-9][0-9]{0,3}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        year = int(value)
        if not 1 <= year <= 9999:
            raise ValueError(f"{value!r} is not a year from 1 to 9999")
        return str(year)
