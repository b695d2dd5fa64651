# Two commands for a newcomer: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Test processes (pytest-xdist; each has its own test database and cache prefix): one per core by default.
TEST_WORKERS ?= auto
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup run test lint

$(BIN)/jinxuan: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

setup: $(BIN)/jinxuan

## Create the environment, migrate, load the demo and serve on http://127.0.0.1:8000
run: setup
	$(BIN)/jinxuan migrate --noinput -v0
	$(BIN)/jinxuan demo --if-empty
	@echo "打开 http://127.0.0.1:8000 （Ctrl+C 停止）"
	$(BIN)/jinxuan runserver 127.0.0.1:8000

## Lint, then the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile
	@mkdir -p data
	$(BIN)/pip-audit -l --progress-spinner off -f json -o data/pip-audit.json  # fails on a known vulnerability
	@$(BIN)/python -c "import json; d=json.load(open('data/pip-audit.json'))['dependencies']; \
	  a=[x for x in d if 'skip_reason' not in x]; \
	  print(f'pip-audit：已核查 {len(a)} 个依赖，{len(d)-len(a)} 个无法核查（漏洞服务不可达）')"
