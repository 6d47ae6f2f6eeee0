import pytest

from tests import factories


@pytest.fixture
def synthetic(municipality, other_municipality):
    """60 schools over two municipalities in one test, ~6 % of each manipulation kind."""
    test, schools, kinds = factories.make_synthetic_region_results(
        municipalities=[municipality, other_municipality]
    )
    return test, schools, kinds
