"""Schemathesis over the operations on /api/l… to /api/z… and /readyz: no 5xx, nothing undocumented.

As the officer (who may call almost all), with NUL bytes and huge integers put in (tests/security/
fuzzing.py); the other half of the operations: test_schemathesis_officer_a_k.py.
"""

from typing import Any

import pytest
from hypothesis import strategies as st

from tests.security import fuzzing

pytestmark = pytest.mark.slow
ROLES = ("officer",)
schema = fuzzing.operations(1)


@schema.parametrize()
@schema.given(data=st.data())
@fuzzing.fuzz_settings(12)
def test_no_server_error_and_only_documented_answers(
        case: Any, data: st.DataObject, fuzz_users: dict[str, dict[str, str]]) -> None:
    fuzzing.check_case(case, data, fuzz_users, ROLES)
