"""The declared lifecycles: each is complete (every step has its service, its form gives the service what it
asks for), and the help page draws each process's states and steps from them."""

from __future__ import annotations

import inspect

import pytest

from chibo.core.lifecycle import lifecycles

EXPECTED = {"transfer", "trip", "declaration", "exemption", "delegation", "admission", "remittance", "grading",
            "grading_unit", "grading_period"}


def test_every_process_declares_its_lifecycle():
    assert EXPECTED <= {lc.key for lc in lifecycles()}


@pytest.mark.parametrize("lc", lifecycles(), ids=lambda lc: lc.key)
def test_every_step_has_a_service_that_takes_its_input(lc):
    for t in lc.transitions:
        service = lc.service(t.name)  # LookupError when a step has no runner
        params = inspect.signature(service).parameters
        assert "actor" in params and lc.subject in params, (lc.key, t.name, list(params))
        if t.form is not None and t.prepare is None:
            wanted = set(t.form.base_fields)
            accepts_more = any(p.kind == p.VAR_KEYWORD for p in params.values())
            missing = wanted - set(params)
            assert accepts_more or not missing, f"{lc.key}.{t.name}: the service does not take {sorted(missing)}"
            required = {n for n, p in params.items() if p.default is p.empty and p.kind == p.KEYWORD_ONLY}
            assert required <= wanted | {"actor", lc.subject}, \
                f"{lc.key}.{t.name}: the form does not give {sorted(required - wanted - {'actor', lc.subject})}"


def test_the_help_page_draws_every_process(client_of):
    page = client_of("dangvien.phap").get("/help/processes/")
    assert page.status_code == 200
    text = page.content.decode()
    for lc in lifecycles():
        assert f'data-lifecycle="{lc.key}"' in text
        section = text.split(f'data-lifecycle="{lc.key}"', 1)[1].split("</section>", 1)[0]
        assert "<svg" in section and 'class="lifecycle"' in section
        for state in lc.states.values:
            assert f'data-state="{state}"' in section, (lc.key, state)
        for t in lc.transitions:
            assert f'data-transition="{t.name}"' in section and str(t.label) in section.replace("&#x27;", "'"), \
                (lc.key, t.name)
