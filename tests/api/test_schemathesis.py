"""Generated requests against every operation of the OpenAPI description: the API never answers 5xx.

Schemathesis reads ``/api/v1/openapi.json`` from the app, generates bounded examples per operation (valid ones
and, for operations with inputs, invalid ones) and sends them with an administrator's token into a county
with open cases, so small generated ids often hit real rows. Answers must not be server errors and must
match their described schemas.
"""

from datetime import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from inspect_loop.assignments.operations import issue_assignment
from inspect_loop.cases import ladder
from inspect_loop.clock import LOCAL_TZ
from inspect_loop.interviews.operations import convene_round
from tests.factories import inspect
from tests.helpers import at

EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 20, schemathesis.GenerationMode.NEGATIVE: 8}


@pytest.fixture
def lived_in_county(county, database):
    with at("2026-03-02"):
        shop = inspect(county, county.units.shop, "XF-01", "YD-01").findings[0].case
        inspect(county, county.units.market, "SP-01")
        factory = inspect(county, county.units.factory, "SC-01").findings[0].case
        ladder.escalate(shop, county.users.office, "逾期未整改")
        ladder.escalate(factory, county.users.office, "重大隐患", to_stage="enforcement")
        convene_round(county.users.office, held_at=datetime(2026, 3, 9, 14, 30, tzinfo=LOCAL_TZ), venue="警示教育站",
                      convened_by=county.office, departments=[county.fire], cases=[shop])
        issue_assignment(county.users.office, shop, county.fire)
    database.session.commit()
    return county


def test_generated_requests_never_meet_a_server_error(app, lived_in_county, tokens, monkeypatch, capsys):
    # Robustness, not typesetting, is under test: documents get a stand-in PDF.
    monkeypatch.setattr("inspect_loop.letters.issuing.render_letter", lambda kind, context: b"%PDF-1.7 stand-in")
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {tokens['admin']}"}
    operations, examples, failures = 0, 0, []

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode, count in EXAMPLES.items():
            if mode == schemathesis.GenerationMode.NEGATIVE and not operation.body and not operation.query \
                    and not operation.path_parameters:
                continue  # nothing to make invalid

            @settings(max_examples=count, deadline=None, database=None, derandomize=True,
                      phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def send(case):
                nonlocal examples
                examples += 1
                case.call_and_validate(headers=headers, checks=[not_a_server_error, response_schema_conformance])

            try:
                send()
            except Unsatisfiable:
                # Only unconstrained strings to vary (e.g. /verify/{token}): every string is valid input.
                assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label
            except Exception as error:  # noqa: BLE001  (every operation is tried; all failures are reported)
                failures.append(f"{operation.label} [{mode}]: {error}")

    with capsys.disabled():
        print(f"\nschemathesis: {operations} operations, {examples} examples, {len(failures)} failures")
    assert not failures, "\n\n".join(failures)
