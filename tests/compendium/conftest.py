import pytest

from tests.helpers.seeds import SEED_003


@pytest.fixture
def seed003_bytes() -> bytes:
    if not SEED_003.is_file():
        pytest.skip(f"种子文件不在检出目录旁（{SEED_003}），跳过依赖 003 案例集的测试")
    return SEED_003.read_bytes()


@pytest.fixture
def seed003_text(seed003_bytes) -> str:
    return seed003_bytes.decode("utf-8")
