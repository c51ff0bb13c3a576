# The two commands of the README: `make proceedings` and `make test`.
# the interpreter .venv is made with: PYTHON=... when given, else the quickest build of python3's version found here
# that can make a venv (a distribution's optimized build runs a build 8-13 % faster than pyenv's default one:
# tools/pick_python.py)
PYTHON ?= $(or $(shell python3 tools/pick_python.py --why),python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: proceedings test test-fast bench samples validate bundle clean distclean

# byte-compiled first, as pip install does: an editable install under PYTHONDONTWRITEBYTECODE would compile
# every module again in every build, every worker, every `python -m proceedings` the tests start (0.1 s a build)
COMPILE := $(PY) -m compileall -q proceedings tools tests > /dev/null

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m proceedings.typeset.fonts --prepare
	touch $(STAMP)

proceedings: $(STAMP)
	$(COMPILE)
	$(VENV)/bin/proceedings build --project .

validate: $(STAMP)
	$(COMPILE)
	$(VENV)/bin/proceedings validate --project .

bundle: $(STAMP)
	$(COMPILE)
	$(VENV)/bin/proceedings bundle --project .

# one file per worker (module fixtures made once), the longest files first (LONG_FIRST in tests/conftest.py)
XDIST  := -n auto --dist loadfile --no-loadscope-reorder

test: $(STAMP)
	$(COMPILE)
	$(PY) -m pytest $(XDIST)

test-fast: $(STAMP)
	$(COMPILE)
	$(PY) -m pytest $(XDIST) -m "not slow"

samples: $(STAMP)
	$(PY) tools/make_samples.py

bench: $(STAMP)  # tools/bench.py byte-compiles the package itself (build_env), as any caller of it needs
	$(PY) tools/bench.py $(BENCH_ARGS)

clean:
	rm -rf build .pytest_cache

distclean: clean
	rm -rf $(VENV) .bench
