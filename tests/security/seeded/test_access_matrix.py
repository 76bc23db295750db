"""The access matrix: every operation of the live schema x every role x sampled objects.

See :mod:`tests.security.matrix` for what each case checks. One test per operation, so a
failure names the endpoint; the figures for the whole matrix are printed at the end of the run.
"""

import pytest

from tests.security.catalogue import operation_ids, operations
from tests.security.matrix import Engine
from tests.security.plugin import REPORT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("operation", operations(), ids=operation_ids())
def test_access_matrix(world, operation):
    result = Engine(world).run(operation)
    REPORT.count(
        "access matrix",
        operations=1,
        cases=result.cases,
        failures=len(result.failures),
        **{f"judged_by_{basis}": n for basis, n in result.by_basis.items()},
    )
    assert result.cases > 0, f"{operation.label}: no case could be run ({result.notes})"
    assert not result.failures, f"{len(result.failures)} of {result.cases} cases failed:\n" + (
        "\n".join(result.failures[:40])
    )
