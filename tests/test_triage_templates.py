"""The triage reads the lines of one template from the places the parser found in the
first: what it reads must be, field for field, what the parser reads in each line."""

from dataclasses import asdict

from kb.search.parse import parse
from kb.triage import LEADING_ISO_RE, SIGNAL_RE, _Template, template_key
from tests.logs import mixed_log


def test_each_line_read_by_its_template_is_what_the_parser_reads():
    templates = {}
    read = 0
    for line in mixed_log(3000).decode().splitlines():
        rest = LEADING_ISO_RE.sub("", line.strip(), count=1)
        if not SIGNAL_RE.search(rest):
            continue
        key = template_key(rest)
        if (template := templates.get(key)) is None:
            templates[key] = _Template(rest, parse(rest))
            continue
        if (query := template.read(rest)) is None:
            continue
        read += 1
        assert asdict(query) | {"text": ""} == asdict(parse(rest)) | {"text": ""}, line
    assert read > 1500  # the signature, throttling and nginx lines are read this way
