"""API fuzzing with schemathesis against the live ASGI app (issue 10, point 5).

Every operation of the schema the app serves is called with generated requests, each as a
caller drawn from every demo user and an anonymous one (with their tokens), with a fixed
seed. Every response must be no server error, use a declared status code and content type,
and match the declared schema. ``FUZZ_EXAMPLES`` sets the examples per operation (50 in
``make test``, 1,000 in ``make fuzz``). Each example runs in its own rolled-back savepoint.
"""

import os

import pytest
import schemathesis
from django.db import transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.asgi import application
from tests.security.asgi import InProcessSession
from tests.security.catalogue import operation_ids, operations
from tests.security.plugin import REPORT

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "50"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def session(world):
    return InProcessSession(application)


@pytest.fixture(scope="module")
def served_schema(session):
    """The schema exactly as the running app serves it at /api/schema/."""
    response = session.get("/api/schema/", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    return schemathesis.openapi.from_dict(response.json())


@pytest.mark.parametrize("operation", operations(), ids=operation_ids())
def test_fuzz(world, session, served_schema, operation):
    target = served_schema[operation.path][operation.method.upper()]
    examples = 0
    # Valid requests and deliberately invalid ones (wrong types, missing fields, bad ids).
    cases = st.one_of(
        target.as_strategy(GenerationMode.POSITIVE), target.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        print_blob=False,
    )
    @given(case=cases, caller=st.sampled_from(world.callers))
    def run(case, caller):
        nonlocal examples
        examples += 1
        headers = {"Authorization": f"Token {caller.token}"} if caller.token else {}
        with transaction.atomic():
            response = case.call(base_url="http://testserver", session=session, headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    finally:
        REPORT.count("fuzzing", operations=1, examples=examples)
    assert examples >= min(EXAMPLES, 1)
