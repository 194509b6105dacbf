# The bootstrap shared by .ci/run (the tests) and .ci/demo (the quick-start demo).
# Sourced, not run.  It checks the prerequisites first and stops at once, with one
# sentence on stderr and exit 1, when one is missing and cannot be installed; it makes
# or reuses a virtual environment and puts it first on PATH.
#
# Environment:
#   PYTHON=/path/to/python3   the interpreter to check and build the venv from (python3)
#   RTM_CI_VENV=DIR           the venv to make or reuse (default: the active venv, else
#                             .venv in the clone)
#   RTM_CI_NO_INSTALL=1       never install system packages (Node.js, python3-venv):
#                             what is missing is reported instead (the tests use this)
#
# Installs with apt-get happen only as root on a machine that has apt-get.

ci_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ci_python=${PYTHON:-python3}
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

# ci_die SENTENCE: the one line a missing prerequisite prints; exit 1.
ci_die() {
  echo "$*" >&2
  exit 1
}

# ci_can_install: may this run install system packages?
ci_can_install() {
  [ "${RTM_CI_NO_INSTALL:-0}" != 1 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1
}

# ci_apt PACKAGE...: install with apt-get, quietly; its output is shown only on failure.
ci_apt() {
  local log
  log=$(mktemp)
  echo "installing $* with apt-get"
  if ! { DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@"; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
}

# ci_check_python: $ci_python runs and is 3.11 or later.
ci_check_python() {
  local version
  if ! version=$("$ci_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); then
    ci_die "rtm_emulator needs Python 3.11 or later and there is no working $ci_python on PATH: install one (or set PYTHON=/path/to/python3.11) and run again."
  fi
  local major=${version%%.*} minor=${version#*.}
  if [ "$major" -lt 3 ] || { [ "$major" -eq 3 ] && [ "$minor" -lt 11 ]; }; then
    ci_die "rtm_emulator needs Python 3.11 or later and $ci_python is $version: install a newer one (or set PYTHON=/path/to/python3.11) and run again."
  fi
  echo "python: $(command -v "$ci_python") ($version)"
}

# ci_node_problem: why node/npm do not do, or nothing when they do.
ci_node_problem() {
  if ! command -v node >/dev/null 2>&1; then
    echo "there is no node on PATH"
    return
  fi
  local version major
  version=$(node --version 2>/dev/null) || version="?"
  major=${version#v}
  major=${major%%.*}
  if ! [ "$major" -ge 18 ] 2>/dev/null; then
    echo "node is $version"
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "node $version has no npm on PATH"
  fi
}

# ci_check_node: Node.js 18 or later with npm, installed with apt-get when missing and allowed.
ci_check_node() {
  local problem
  problem=$(ci_node_problem)
  if [ -n "$problem" ] && ci_can_install; then
    ci_apt nodejs npm || true
    hash -r
    problem=$(ci_node_problem)
  fi
  if [ -n "$problem" ]; then
    ci_die "bash .ci/run needs Node.js 18 or later with npm and $problem: install them (e.g. apt-get install nodejs npm, or from nodejs.org) and run again."
  fi
  echo "node: $(command -v node) ($(node --version)), npm $(npm --version)"
}

# ci_venv: make or reuse the venv, activate it; sets ci_py (its python).
ci_venv() {
  local active ours=1
  active=$("$ci_python" -c 'import sys; print(sys.prefix if sys.prefix != sys.base_prefix else "")')
  if [ -n "${RTM_CI_VENV:-}" ]; then
    ci_venv_dir=$RTM_CI_VENV
  elif [ -n "$active" ]; then
    ci_venv_dir=$active
    ours=0
  else
    ci_venv_dir=$ci_root/.venv
  fi
  if ! "$ci_venv_dir/bin/python" -m pip --version >/dev/null 2>&1; then
    if [ "$ours" = 0 ]; then
      ci_die "the active virtual environment $ci_venv_dir has no pip: run '$ci_venv_dir/bin/python -m ensurepip', or deactivate it, and run again."
    fi
    ci_make_venv "$ci_venv_dir"
  fi
  export VIRTUAL_ENV=$ci_venv_dir
  export RTM_CI_PATH_OUTSIDE_VENV=${RTM_CI_PATH_OUTSIDE_VENV:-$PATH}
  export PATH="$ci_venv_dir/bin:$PATH"
  unset PYTHONHOME
  hash -r
  ci_py=$ci_venv_dir/bin/python
  echo "venv: $ci_venv_dir"
}

# ci_make_venv DIR: "$ci_python" -m venv DIR, installing python3-venv when ensurepip is missing.
ci_make_venv() {
  local dir=$1 log
  log=$(mktemp)
  [ -f "$dir/pyvenv.cfg" ] && rm -rf "$dir" # a broken venv of ours (no pip, or a gone python)
  if ! "$ci_python" -m venv "$dir" >"$log" 2>&1; then
    rm -rf "$dir"
    if grep -q ensurepip "$log" && ci_can_install; then
      local version
      version=$("$ci_python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
      ci_apt python3-venv || ci_apt "python$version-venv" || true
      "$ci_python" -m venv "$dir" >"$log" 2>&1 || rm -rf "$dir"
    fi
  fi
  if [ ! -x "$dir/bin/python" ]; then
    if grep -q ensurepip "$log"; then
      rm -f "$log"
      ci_die "$ci_python cannot make a virtual environment (ensurepip is missing): install python3-venv (e.g. apt-get install python3-venv) and run again."
    fi
    local why
    why=$(grep -v '^\s*$' "$log" | tail -n 1)
    rm -f "$log"
    ci_die "$ci_python -m venv $dir failed (${why:-no message}): fix that, or set RTM_CI_VENV to another directory, and run again."
  fi
  rm -f "$log"
}

# ci_installed_here: does the venv already import this clone's rtm_emulator (an editable install)?
ci_installed_here() {
  local where
  where=$(cd / && "$ci_py" -c 'import rtm_emulator; print(rtm_emulator.__file__)' 2>/dev/null) || return 1
  [ "$where" = "$ci_root/rtm_emulator/__init__.py" ]
}

# ci_pip_install SPEC...: pip install into the venv, quietly.
ci_pip_install() {
  "$ci_py" -m pip install --quiet "$@"
}

# ci_sample ID: the body of the documentation block marked <!-- sample: ID -->.
ci_sample() {
  "$ci_py" -c 'import sys; sys.path.insert(0, sys.argv[1]); from tests.samples import sample; print(sample(sys.argv[2]), end="")' "$ci_root" "$1"
}
