"""A small reader of the HTML our pages send, for tests that check what a visitor sees."""

import re
from html.parser import HTMLParser

VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class Element:
    def __init__(self, tag, attrs, ancestors):
        self.tag = tag
        self.attrs = {name: value or "" for name, value in attrs}
        self.ancestors = ancestors
        self.parts = []

    @property
    def text(self):
        return " ".join("".join(self.parts).split())

    @property
    def classes(self):
        return self.attrs.get("class", "").split()


class Page(HTMLParser):
    """Every element of a page with its attributes and its text, in document order."""

    def __init__(self, content):
        super().__init__(convert_charrefs=True)
        self.elements = []
        self._open = []
        self.feed(content.decode() if isinstance(content, bytes) else content)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, list(self._open))
        self.elements.append(element)
        if tag == "br":
            self.handle_data("\n")
        if tag not in VOID_TAGS:
            self._open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append(Element(tag, attrs, list(self._open)))

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data):
        for element in self._open:
            element.parts.append(data)

    def find_all(self, tag, class_=None, *, within=None, **attrs):
        return [
            element
            for element in self.elements
            if element.tag == tag
            and (within is None or within in element.ancestors)
            and (class_ is None or class_ in element.classes)
            and all(element.attrs.get(key) == value for key, value in attrs.items())
        ]

    def find(self, tag, class_=None, *, within=None, **attrs):
        (element,) = self.find_all(tag, class_, within=within, **attrs)
        return element

    def texts(self, tag, class_=None, *, within=None, **attrs):
        return [element.text for element in self.find_all(tag, class_, within=within, **attrs)]

    def table(self, table):
        """The body rows of a table as lists of cell texts (header cells included)."""
        return [
            [
                cell.text
                for cell in self.elements
                if cell.tag in ("th", "td") and row in cell.ancestors
            ]
            for row in self.find_all("tr", within=self.find("tbody", within=table))
        ]

    def errors(self):
        """The form errors a visitor reads: {field name or None: [message, ...]}."""
        errors = {}
        for element in self.elements:
            match = re.fullmatch(r"error_\d+_id_(\w+)", element.attrs.get("id", ""))
            if match:
                errors.setdefault(match.group(1), []).append(element.text)
        for box in self.find_all("div", id="form-errors"):
            # The summary repeats the fields' errors as links to them; the rest are general.
            items = self.find_all("li", within=box)
            if general := [item.text for item in items if "field-error" not in item.classes]:
                errors[None] = general
        return errors

    def form_data(self, form):
        """What a browser would submit from `form` without changes (no submit button)."""
        data = {}
        for element in self.find_all("input", within=form):
            kind = element.attrs.get("type", "text")
            name = element.attrs.get("name")
            if not name or kind in ("submit", "button", "file", "image"):
                continue
            if kind in ("checkbox", "radio") and "checked" not in element.attrs:
                continue
            # A browser sends "on" for a checkbox without a value, "" for an empty field.
            default = "on" if kind in ("checkbox", "radio") else ""
            data.setdefault(name, []).append(element.attrs.get("value", default))
        for element in self.find_all("textarea", within=form):
            text = "".join(element.parts)
            data.setdefault(element.attrs["name"], []).append(text.removeprefix("\n"))
        for select in self.find_all("select", within=form):
            chosen = [
                option.attrs.get("value", option.text)
                for option in self.find_all("option", within=select)
                if "selected" in option.attrs
            ]
            if chosen:
                data.setdefault(select.attrs["name"], []).extend(chosen)
        return data


def page(response_or_html):
    return Page(getattr(response_or_html, "content", response_or_html))
