#!/usr/bin/env bash
#
# run-bench.sh: Hearth side by side with the baselines (sha256sum, openssl,
# cat, find) and the peers a user would pick instead (restic, borg), on the
# same machine, the same data and in the same run. See docs/benchmarks.md.
#
# Copyright 2026 The Hearth authors
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

SRCDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

BUILD=$SRCDIR/_build/release
DATA=$SRCDIR/_build/bench-data
SCALE=1
SEED=1
RUNS=3
OUT=
ONLY=engine,tools,hearth,peers
TIMEOUT=1200
ENGINE_SIZE=256
COMPILE=1

# The issue's targets (docs/benchmarks.md).
SHA256_TARGET=0.90        # of the fastest SHA-256 measured
PER_CORE_MBPS=1200        # chunking plus hashing, per core
FIRST_SCAN_TARGET=0.80    # of min(cores x per-core rate, read limit)
RESCAN_TARGET=2.0         # times the find walk

usage ()
{
  cat <<EOF
Usage: ${0##*/} [OPTION]...

Measures Hearth against sha256sum, openssl, cat, find, restic and borg on a
generated data set, warm cache, median of several runs, and prints a table.

  --build DIR       meson build directory (default: _build/release, set up with
                    meson setup _build/release -Dbuildtype=release)
  --data DIR        where the data set and scratch repositories go
                    (default: _build/bench-data)
  --scale F         data-set scale (default 1: about 3.1 GB, 51,000 files)
  --seed N          data-set seed (default 1)
  --runs N          timed runs per command (default 3; 10 for commands that
                    take under a second)
  --only LIST       comma-separated subset of: engine, tools, hearth, peers
                    (default: all)
  --engine-size MiB data size for hearth-bench-engine (default 256)
  --timeout SECS    limit for any single command (default 1200)
  --out FILE        also write the results as Markdown to FILE
  --no-compile      do not run meson compile
  -h, --help        show this help
EOF
}

die ()
{
  echo "run-bench: $*" >&2
  exit 1
}

note ()
{
  echo "run-bench: $*" >&2
}

while [ $# -gt 0 ]; do
  case $1 in
    --build) BUILD=${2:?--build needs a directory}; shift 2 ;;
    --data) DATA=${2:?--data needs a directory}; shift 2 ;;
    --scale) SCALE=${2:?--scale needs a number}; shift 2 ;;
    --seed) SEED=${2:?--seed needs a number}; shift 2 ;;
    --runs) RUNS=${2:?--runs needs a number}; shift 2 ;;
    --only) ONLY=${2:?--only needs a list}; shift 2 ;;
    --engine-size) ENGINE_SIZE=${2:?--engine-size needs a number}; shift 2 ;;
    --timeout) TIMEOUT=${2:?--timeout needs a number}; shift 2 ;;
    --out) OUT=${2:?--out needs a file}; shift 2 ;;
    --no-compile) COMPILE=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs must be a whole number of at least 1, not '$RUNS'"
[[ $SEED =~ ^[0-9]+$ ]] || die "--seed must be a whole number, not '$SEED'"
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "--timeout must be a whole number of seconds, not '$TIMEOUT'"
[[ $ENGINE_SIZE =~ ^[1-9][0-9]*$ ]] || die "--engine-size must be a whole number of MiB, not '$ENGINE_SIZE'"
if ! [[ $SCALE =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)$ ]] ||
   ! awk -v s="$SCALE" 'BEGIN { exit !(s > 0 && s <= 100) }'; then
  die "--scale must be a number above 0 and at most 100, not '$SCALE'"
fi
SCALE=$(awk -v s="$SCALE" 'BEGIN { printf "%g\n", s }')   # 1.0 and 1 are one data set

WANT_ENGINE=0 WANT_TOOLS=0 WANT_HEARTH=0 WANT_PEERS=0
IFS=, read -r -a only_items <<< "$ONLY"
for item in "${only_items[@]}"; do
  case $item in
    engine) WANT_ENGINE=1 ;;
    tools) WANT_TOOLS=1 ;;
    hearth) WANT_HEARTH=1 ;;
    peers) WANT_PEERS=1 ;;
    *) die "--only takes engine, tools, hearth and peers, not '$item'" ;;
  esac
done

needed=(awk find sort timeout nproc)
[ $WANT_TOOLS = 1 ] && needed+=(cat xargs sha256sum openssl)
[ $WANT_PEERS = 1 ] && needed+=(restic borg)
for tool in "${needed[@]}"; do
  command -v "$tool" > /dev/null || die "'$tool' is needed but not installed"
done

# -------------------------------------------------------------------------
# Build and data set

GEN=$BUILD/tests/bench/hearth-bench-gen
ENGINE=$BUILD/tests/bench/hearth-bench-engine
CLI=$BUILD/src/cli/hearth-cli
BUILD_HINT="build first: meson setup $BUILD -Dbuildtype=release && meson compile -C $BUILD"

TREE=$DATA/tree
SMALL=$TREE/small
STAMP=$DATA/stamp
GEN_SOURCE=$SRCDIR/tests/bench/hearth-bench-gen.c
# The generator's source is part of the stamp: a changed generator means a
# different data set, and old figures would no longer compare.
stamp="seed=$SEED scale=$SCALE generator=$(sha256sum "$GEN_SOURCE" | cut -c1-16)"
need_data=1
if [ -d "$TREE" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$stamp" ]; then
  need_data=0
fi

targets=()
[ $need_data = 1 ] && targets+=(hearth-bench-gen)
[ $WANT_ENGINE = 1 ] && targets+=(hearth-bench-engine)
[ $WANT_HEARTH = 1 ] && targets+=(hearth-cli)

if [ ${#targets[@]} -gt 0 ]; then
  [ -f "$BUILD/build.ninja" ] || [ $COMPILE = 0 ] || die "$BUILD is not a meson build directory; $BUILD_HINT"
  if [ $COMPILE = 1 ]; then
    note "meson compile -C $BUILD ${targets[*]}"
    if ! log=$(meson compile -C "$BUILD" "${targets[@]}" 2>&1); then
      tail -n 20 <<< "$log" >&2
      die "meson compile failed; $BUILD_HINT"
    fi
  fi
fi
[ $need_data = 0 ] || [ -x "$GEN" ] || die "$GEN is missing; $BUILD_HINT"
[ $WANT_ENGINE = 0 ] || [ -x "$ENGINE" ] || die "$ENGINE is missing; $BUILD_HINT"
[ $WANT_HEARTH = 0 ] || [ -x "$CLI" ] || die "$CLI is missing; $BUILD_HINT"

buildtype=unknown
sanitize=unknown
if [ -f "$BUILD/meson-info/intro-buildoptions.json" ]; then
  option_value ()
  {
    tr '{' '\n' < "$BUILD/meson-info/intro-buildoptions.json" |
      grep "\"name\": \"$1\"" | head -n 1 | sed -n 's/.*"value": "\([^"]*\)".*/\1/p'
  }
  buildtype=$(option_value buildtype)
  sanitize=$(option_value b_sanitize)
fi
if [ $WANT_ENGINE = 1 ] || [ $WANT_HEARTH = 1 ]; then
  [ "$buildtype" = release ] || note "warning: $BUILD is a '$buildtype' build, not release: Hearth's figures will be low"
  [ "$sanitize" = none ] || [ "$sanitize" = unknown ] || note "warning: $BUILD is built with sanitizers ($sanitize)"
fi

WORK=
CHILD=
cleanup ()
{
  [ -z "$WORK" ] || rm -rf "$WORK"
}
# Long commands run in the background (see bounded()) so that a signal is
# handled at once; and timeout(1) puts each command in a process group of
# its own, out of reach of the terminal's ^C. Pass the signal on, then wait,
# so that nothing is still writing into $WORK when it is removed.
interrupted ()
{
  if [ -n "$CHILD" ]; then
    kill -TERM "$CHILD" 2> /dev/null || true
    wait "$CHILD" 2> /dev/null || true
  fi
  exit 130
}
trap cleanup EXIT
trap interrupted INT TERM

mkdir -p "$DATA"
if [ $need_data = 1 ]; then
  if [ -e "$TREE" ]; then
    [ -f "$STAMP" ] || die "$TREE exists but was not made by this script (no $STAMP); remove it or pick another --data"
    note "data set changed ($(cat "$STAMP") -> $stamp): generating again"
    rm -rf "$TREE" "$STAMP"
  fi
  note "generating the data set in $TREE (seed $SEED, scale $SCALE)"
  # Stamped before it is written, so that an interrupted generation is
  # recognised as this script's and replaced next time.
  echo "incomplete" > "$STAMP"
  "$GEN" --seed "$SEED" --scale "$SCALE" "$TREE" >&2 &
  CHILD=$!
  wait "$CHILD" || die "hearth-bench-gen failed"
  CHILD=
  echo "$stamp" > "$STAMP"
fi

WORK=$(mktemp -d "$DATA/work.XXXXXX")

export RESTIC_PASSWORD=hearth-bench
export RESTIC_CACHE_DIR=$WORK/restic-cache
export BORG_PASSPHRASE=hearth-bench
export BORG_BASE_DIR=$WORK/borg-base

NPROC=$(nproc)
read -r FILES BYTES < <(find "$TREE" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d %.0f\n", n, b }')
read -r SMALL_FILES SMALL_BYTES < <(find "$SMALL" -type f -printf '%s\n' | awk '{ n++; b += $1 } END { printf "%d %.0f\n", n, b }')
DIRS=$(find "$TREE" -mindepth 1 -type d | wc -l)
IFS=$'\t' read -r LARGEST_BYTES LARGEST < <(find "$TREE" -type f -printf '%s\t%p\n' | sort -n | tail -n 1)

mem_available_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
if [ -n "$mem_available_kib" ] && [ $((BYTES / 1024)) -gt $((mem_available_kib * 6 / 10)) ]; then
  note "warning: the data set is large next to free memory: 'warm cache' figures will include disk reads"
fi

# -------------------------------------------------------------------------
# Measuring

if [ -x /usr/bin/time ] && /usr/bin/time -f %M -o /dev/null true 2> /dev/null; then
  RSS_WRAP=(/usr/bin/time -f %M -o)
elif command -v python3 > /dev/null; then
  RSS_WRAP=(python3 -c 'import resource, subprocess, sys
status = subprocess.call (sys.argv[2:])
with open (sys.argv[1], "w") as f:
    f.write ("%d\n" % resource.getrusage (resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit (status)')
else
  RSS_WRAP=()
fi

# Wall-clock seconds between two $EPOCHREALTIME readings.
elapsed ()
{
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f\n", b - a }'
}

# Runs a command for at most $TIMEOUT seconds, in the background so that a
# signal reaches interrupted() at once.
bounded ()
{
  local status=0

  timeout -k 10 "$TIMEOUT" "$@" &
  CHILD=$!
  wait "$CHILD" || status=$?
  CHILD=
  return $status
}

# measure [--discard] NAME PREPARE COMMAND...
#
# Runs PREPARE (a function, untimed) and COMMAND once to warm the caches,
# with its peak RSS recorded, then RUNS more times timed (10 if the warm run
# took under a second). Before every run, sync(1) untimed, so that no run
# pays for the write-back of the one before (restic and borg write GBs).
# Sets M_SECONDS (median), M_RSS_KIB and M_OUT (the last run's standard
# output, unless --discard sent it to /dev/null). Returns 1 if COMMAND failed
# or timed out; its error output is in $WORK/NAME.err.
measure ()
{
  local discard=0
  if [ "$1" = --discard ]; then
    discard=1
    shift
  fi
  local name=$1 prepare=$2
  shift 2
  local out=$WORK/$name.out err=$WORK/$name.err rss=$WORK/$name.rss
  local runs=$RUNS t0 t1 i status
  local -a times=()

  [ $discard = 0 ] || out=/dev/null
  M_SECONDS='' M_RSS_KIB='' M_OUT=$out
  note "measuring $name"

  $prepare || return 1
  sync
  t0=$EPOCHREALTIME
  status=0
  if [ ${#RSS_WRAP[@]} -gt 0 ]; then
    bounded "${RSS_WRAP[@]}" "$rss" "$@" > "$out" 2> "$err" < /dev/null || status=$?
  else
    bounded "$@" > "$out" 2> "$err" < /dev/null || status=$?
  fi
  t1=$EPOCHREALTIME
  if [ $status != 0 ]; then
    [ $status != 124 ] || echo "timed out after $TIMEOUT s" >> "$err"
    note "$name failed (exit $status):"
    tail -n 5 "$err" >&2
    return 1
  fi
  [ ! -s "$rss" ] || M_RSS_KIB=$(tail -n 1 "$rss")
  if awk -v s="$(elapsed "$t0" "$t1")" 'BEGIN { exit !(s < 1) }'; then
    [ "$runs" -ge 10 ] || runs=10
  fi

  for ((i = 0; i < runs; i++)); do
    $prepare || return 1
    sync
    status=0
    t0=$EPOCHREALTIME
    bounded "$@" > "$out" 2> "$err" < /dev/null || status=$?
    t1=$EPOCHREALTIME
    if [ $status != 0 ]; then
      note "$name failed (exit $status) on run $((i + 1)):"
      tail -n 5 "$err" >&2
      return 1
    fi
    times+=("$(elapsed "$t0" "$t1")")
  done

  M_SECONDS=$(printf '%s\n' "${times[@]}" | sort -g |
              awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}

# The first number after "KEY": in a JSON document, wherever it is nested.
json_number ()
{
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*[0-9]*" "$2" | head -n 1 | grep -o '[0-9]*$' || true
}

calc ()
{
  awk "BEGIN { printf \"$1\n\", $2 }"
}

mbps ()
{
  calc %.0f "$1 / $2 / 1e6"
}

# Rows of the results table: section, what, median seconds, throughput,
# peak RSS, ratio to the section's baseline, Hearth's speed-up, note.
ROWS=()

# Fields are joined with the unit separator: a tab would be IFS white space,
# and read would merge the empty fields.
SEP=$'\x1f'

row ()
{
  local IFS=$SEP
  ROWS+=("$*")
}

rss_mib ()
{
  [ -z "${1:-}" ] || calc %.0f "$1 / 1024"
}

seconds_text ()
{
  if awk -v s="$1" 'BEGIN { exit !(s < 1) }'; then
    calc '%.1f ms' "$1 * 1000"
  else
    calc '%.2f s' "$1"
  fi
}

# -------------------------------------------------------------------------
# 1. Hashing, one core

SECTION="SHA-256 and chunking, one core"
declare -A ENGINE_FIGURES=()
fastest_sha=0
fastest_sha_name=

consider_sha ()
{
  if awk -v a="$2" -v b="$fastest_sha" 'BEGIN { exit !(a > b) }'; then
    fastest_sha=$2
    fastest_sha_name=$1
  fi
}

if [ $WANT_ENGINE = 1 ]; then
  note "running hearth-bench-engine --size $ENGINE_SIZE --repeat $RUNS --reader"
  # --reader writes its file to $TMPDIR: keep it in the scratch directory.
  if TMPDIR=$WORK bounded "$ENGINE" --size "$ENGINE_SIZE" --repeat "$RUNS" --reader \
       > "$WORK/engine.out" 2> "$WORK/engine.err"; then
    while read -r key value; do
      ENGINE_FIGURES[$key]=$value
      case $key in
        *_MBps) row "$SECTION" "hearth-bench-engine $key" "" "$value MB/s" "" "" "" "" ;;
        *) row "$SECTION" "hearth-bench-engine $key" "" "$value" "" "" "" "" ;;
      esac
      case $key in
        sha256.*_MBps) consider_sha "hearth-bench-engine $key" "$value" ;;
      esac
    done < <(grep -E '^[A-Za-z0-9_.+-]+[[:space:]]+[0-9]+(\.[0-9]+)?$' "$WORK/engine.out")
  else
    tail -n 5 "$WORK/engine.err" >&2
    row "$SECTION" "hearth-bench-engine" "" "" "" "" "" "FAILED"
  fi
fi

if [ $WANT_TOOLS = 1 ]; then
  largest_mib=$((LARGEST_BYTES / 1048576))
  if measure --discard sha256sum : sha256sum "$LARGEST"; then
    rate=$(mbps "$LARGEST_BYTES" "$M_SECONDS")
    consider_sha "sha256sum" "$rate"
    row "$SECTION" "sha256sum, one $largest_mib MiB file" "$M_SECONDS" "$rate MB/s" "$M_RSS_KIB" "" "" ""
  else
    row "$SECTION" "sha256sum, one $largest_mib MiB file" "" "" "" "" "" "FAILED"
  fi

  # openssl times itself over 3 s; its 'k' is 1000 bytes.
  if measure openssl-speed : openssl speed -seconds 3 -bytes 1048576 -evp sha256; then
    rate=$(awk '$1 == "sha256" { v = $2; sub (/k$/, "", v); printf "%.0f\n", v / 1000 }' "$M_OUT")
    if [ -n "$rate" ]; then
      consider_sha "openssl speed -evp sha256" "$rate"
      row "$SECTION" "openssl speed -evp sha256, 1 MiB blocks" "" "$rate MB/s" "$M_RSS_KIB" "" "" "median of $RUNS runs of 3 s"
    else
      row "$SECTION" "openssl speed -evp sha256" "" "" "" "" "" "unreadable output"
    fi
  else
    row "$SECTION" "openssl speed -evp sha256" "" "" "" "" "" "FAILED"
  fi
fi

hearth_sha=${ENGINE_FIGURES[sha256.libcrypto_MBps]:-}
if [ -n "$hearth_sha" ] && [ "$fastest_sha" != 0 ]; then
  ratio=$(calc %.2f "$hearth_sha / $fastest_sha")
  verdict=$(awk -v r="$ratio" -v t="$SHA256_TARGET" 'BEGIN { print (r >= t) ? "met" : "MISSED" }')
  row "$SECTION" "Hearth SHA-256 (libcrypto) / fastest" "" "" "" "$ratio" "" "target >= $SHA256_TARGET of $fastest_sha_name: $verdict"
fi

# chunker.hash is chunking and hashing in one pass, as the chunk reader does
# it; without it, a core that chunks at C and hashes at H MB/s does both at
# 1 / (1/C + 1/H).
pipeline=${ENGINE_FIGURES[chunker.hash_MBps]:-}
pipeline_how="chunker.hash"
if [ -z "$pipeline" ] && [ -n "$hearth_sha" ] && [ -n "${ENGINE_FIGURES[chunker.gear_MBps]:-}" ]; then
  pipeline=$(calc %.0f "1 / (1 / ${ENGINE_FIGURES[chunker.gear_MBps]} + 1 / $hearth_sha)")
  pipeline_how="from chunker.gear and sha256.libcrypto"
fi
if [ -n "$pipeline" ]; then
  verdict=$(awk -v p="$pipeline" -v t="$PER_CORE_MBPS" 'BEGIN { print (p >= t) ? "met" : "MISSED" }')
  row "$SECTION" "Hearth chunking + SHA-256, one core" "" "$pipeline MB/s" "" "" "" "$pipeline_how; target >= $PER_CORE_MBPS MB/s: $verdict"
fi

# -------------------------------------------------------------------------
# 2. First scan of the whole data set

SECTION="First scan of the data set (vs read limit)"
read_limit=
read_limit_s=
hearth_first_s=

take_read_limit ()
{
  if [ -z "$read_limit" ] || awk -v a="$1" -v b="$read_limit" 'BEGIN { exit !(a > b) }'; then
    read_limit=$1
    read_limit_s=$2
  fi
}

if [ $WANT_TOOLS = 1 ]; then
  # shellcheck disable=SC2016 # $1 and $2 are the inner shell's
  if measure --discard cat-serial : bash -c 'find "$1" -type f -print0 | xargs -0 cat' sh "$TREE"; then
    rate=$(mbps "$BYTES" "$M_SECONDS")
    take_read_limit "$rate" "$M_SECONDS"
    row "$SECTION" "find | xargs cat" "$M_SECONDS" "$rate MB/s" "$M_RSS_KIB" "" "" ""
  else
    row "$SECTION" "find | xargs cat" "" "" "" "" "" "FAILED"
  fi
  # One cat per large file and one per 256 small ones, $NPROC at a time:
  # batches of mixed sizes would leave one core reading all the large files.
  # shellcheck disable=SC2016
  if measure --discard cat-parallel : bash -c 'find "$1" -type f -size +1M -print0 | xargs -0 -P "$2" -n 1 cat &&
                                               find "$1" -type f ! -size +1M -print0 | xargs -0 -P "$2" -n 256 cat' sh "$TREE" "$NPROC"; then
    rate=$(mbps "$BYTES" "$M_SECONDS")
    take_read_limit "$rate" "$M_SECONDS"
    row "$SECTION" "find | xargs -P $NPROC cat" "$M_SECONDS" "$rate MB/s" "$M_RSS_KIB" "" "" ""
  else
    row "$SECTION" "find | xargs -P $NPROC cat" "" "" "" "" "" "FAILED"
  fi
  [ -z "$read_limit" ] || row "$SECTION" "read limit (faster cat)" "$read_limit_s" "$read_limit MB/s" "" "1.00" "" "baseline"
fi

of_read_limit ()
{
  [ -z "$read_limit" ] || calc %.2f "$1 / $read_limit"
}

prepare_hearth_first ()
{
  rm -rf "$WORK/profile"
  bounded "$CLI" --profile "$WORK/profile" add-folder "$TREE" > /dev/null
}

if [ $WANT_HEARTH = 1 ]; then
  if measure hearth-first prepare_hearth_first "$CLI" --profile "$WORK/profile" scan --json; then
    hashed=$(json_number bytes_hashed "$M_OUT")
    hearth_first_s=$M_SECONDS
    rate=$(mbps "${hashed:-0}" "$M_SECONDS")
    target=$(awk -v c="$NPROC" -v p="$PER_CORE_MBPS" -v r="${read_limit:-0}" -v f="$FIRST_SCAN_TARGET" \
             'BEGIN { l = c * p; if (r > 0 && r < l) l = r; printf "%.0f\n", f * l }')
    verdict=$(awk -v a="$rate" -v t="$target" 'BEGIN { print (a >= t) ? "met" : "MISSED" }')
    extra=
    [ "${hashed:-0}" = "$BYTES" ] || extra="; hashed ${hashed:-?} of $BYTES bytes"
    row "$SECTION" "hearth-cli scan, fresh profile" "$M_SECONDS" "$rate MB/s" "$M_RSS_KIB" "$(of_read_limit "$rate")" "" \
        "target >= $target MB/s: $verdict$extra"
  else
    row "$SECTION" "hearth-cli scan, fresh profile" "" "" "" "" "" "FAILED"
  fi
fi

speedup ()
{
  [ -z "$hearth_first_s" ] || calc %.2f "$1 / $hearth_first_s"
}

prepare_restic_first ()
{
  rm -rf "$WORK/restic" "$RESTIC_CACHE_DIR"
  bounded restic -r "$WORK/restic" init > /dev/null
}

prepare_borg_first ()
{
  rm -rf "$WORK/borg" "$BORG_BASE_DIR"
  bounded borg init -e repokey "$WORK/borg" > /dev/null 2>&1 < /dev/null
}

if [ $WANT_PEERS = 1 ]; then
  if measure restic-first prepare_restic_first restic -r "$WORK/restic" backup --quiet "$TREE"; then
    rate=$(mbps "$BYTES" "$M_SECONDS")
    row "$SECTION" "restic backup, new repository" "$M_SECONDS" "$rate MB/s" "$M_RSS_KIB" "$(of_read_limit "$rate")" \
        "$(speedup "$M_SECONDS")" "compressed, encrypted, written"
  else
    row "$SECTION" "restic backup, new repository" "" "" "" "" "" "FAILED"
  fi
  rm -rf "$WORK/restic" "$RESTIC_CACHE_DIR"

  if measure borg-first prepare_borg_first borg create "$WORK/borg::{now:%Y-%m-%dT%H:%M:%S.%f}" "$TREE"; then
    rate=$(mbps "$BYTES" "$M_SECONDS")
    row "$SECTION" "borg create, new repository" "$M_SECONDS" "$rate MB/s" "$M_RSS_KIB" "$(of_read_limit "$rate")" \
        "$(speedup "$M_SECONDS")" "repokey, lz4, written"
  else
    row "$SECTION" "borg create, new repository" "" "" "" "" "" "FAILED"
  fi
  rm -rf "$WORK/borg" "$BORG_BASE_DIR"
fi

# -------------------------------------------------------------------------
# 3. No-change rescan of the small-file tree

SECTION="No-change rescan of $SMALL_FILES small files (vs find)"
find_s=
hearth_rescan_s=

if [ $WANT_TOOLS = 1 ]; then
  if measure --discard find-walk : find "$SMALL" -printf '%s %T@\n'; then
    find_s=$M_SECONDS
    row "$SECTION" "find -printf '%s %T@'" "$M_SECONDS" "$(calc %.0f "$SMALL_FILES / $M_SECONDS / 1000") k files/s" \
        "$M_RSS_KIB" "1.00" "" "baseline"
  else
    row "$SECTION" "find -printf '%s %T@'" "" "" "" "" "" "FAILED"
  fi
fi

of_find ()
{
  [ -z "$find_s" ] || calc %.2f "$1 / $find_s"
}

rescan_speedup ()
{
  [ -z "$hearth_rescan_s" ] || calc %.2f "$1 / $hearth_rescan_s"
}

files_per_s ()
{
  echo "$(calc %.0f "$SMALL_FILES / $1 / 1000") k files/s"
}

if [ $WANT_HEARTH = 1 ]; then
  rescan_ok=1
  rm -rf "$WORK/profile-small"
  bounded "$CLI" --profile "$WORK/profile-small" add-folder "$SMALL" > /dev/null &&
    bounded "$CLI" --profile "$WORK/profile-small" scan --json > /dev/null || rescan_ok=0
  if [ $rescan_ok = 1 ] && measure hearth-rescan : "$CLI" --profile "$WORK/profile-small" scan --json; then
    hearth_rescan_s=$M_SECONDS
    hashed=$(json_number files_hashed "$M_OUT")
    ratio=$(of_find "$M_SECONDS")
    verdict=
    [ -z "$ratio" ] || verdict="target <= $RESCAN_TARGET x find: $(awk -v r="$ratio" -v t="$RESCAN_TARGET" 'BEGIN { print (r <= t) ? "met" : "MISSED" }')"
    [ "${hashed:-0}" = 0 ] || verdict="$verdict; re-read ${hashed} files"
    row "$SECTION" "hearth-cli scan, no change" "$M_SECONDS" "$(files_per_s "$M_SECONDS")" "$M_RSS_KIB" "$ratio" "" "$verdict"
  else
    row "$SECTION" "hearth-cli scan, no change" "" "" "" "" "" "FAILED"
  fi
fi

if [ $WANT_PEERS = 1 ]; then
  if prepare_restic_first && bounded restic -r "$WORK/restic" backup --quiet "$SMALL" > /dev/null &&
     measure restic-rescan : restic -r "$WORK/restic" backup --quiet "$SMALL"; then
    row "$SECTION" "restic backup, no change" "$M_SECONDS" "$(files_per_s "$M_SECONDS")" "$M_RSS_KIB" \
        "$(of_find "$M_SECONDS")" "$(rescan_speedup "$M_SECONDS")" "writes a snapshot"
  else
    row "$SECTION" "restic backup, no change" "" "" "" "" "" "FAILED"
  fi
  rm -rf "$WORK/restic" "$RESTIC_CACHE_DIR"

  if prepare_borg_first && bounded borg create "$WORK/borg::first" "$SMALL" > /dev/null 2>&1 &&
     measure borg-rescan : borg create "$WORK/borg::{now:%Y-%m-%dT%H:%M:%S.%f}" "$SMALL"; then
    row "$SECTION" "borg create, no change" "$M_SECONDS" "$(files_per_s "$M_SECONDS")" "$M_RSS_KIB" \
        "$(of_find "$M_SECONDS")" "$(rescan_speedup "$M_SECONDS")" "writes an archive"
  else
    row "$SECTION" "borg create, no change" "" "" "" "" "" "FAILED"
  fi
  rm -rf "$WORK/borg" "$BORG_BASE_DIR"
fi

# -------------------------------------------------------------------------
# Report

cpu_model=$(LC_ALL=C lscpu 2> /dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
[ -n "$cpu_model" ] || cpu_model=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -n 1)
mem_gib=$(awk '/^MemTotal:/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)
fs_type=$(df --output=fstype "$TREE" 2> /dev/null | tail -n 1 || stat -f -c %T "$TREE")
commit=$(git -C "$SRCDIR" describe --always --dirty 2> /dev/null || echo unknown)
versions="coreutils $(sha256sum --version | sed -n '1s/.* //p')"
if [ $WANT_TOOLS = 1 ]; then versions="$versions, $(openssl version | cut -d' ' -f1-2)"; fi
if [ $WANT_PEERS = 1 ]; then versions="$versions, $(restic version | cut -d' ' -f1-2), $(borg --version)"; fi
if [ $WANT_ENGINE = 1 ] || [ $WANT_HEARTH = 1 ]; then versions="$versions, Hearth $commit ($buildtype build)"; fi

HEADER=(
  "Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  "Machine: $cpu_model, $NPROC cores, $mem_gib GiB RAM, Linux $(uname -r), data on $fs_type"
  "Versions: $versions"
  "Data set: hearth-bench-gen --seed $SEED --scale $SCALE: $FILES files in $DIRS directories, $(calc %.2f "$BYTES / 1e9") GB; small tree $SMALL_FILES files, $(calc %.0f "$SMALL_BYTES / 1e6") MB"
  "Method: warm page cache (every command runs once untimed first), median of $RUNS timed runs (10 if a run takes under 1 s); MB = 10^6 bytes"
  "Ratios: first scan = throughput / read limit; rescan = time / find time; Hearth speed-up = peer time / Hearth time"
)
[ "$ONLY" = engine,tools,hearth,peers ] || HEADER+=("Subjects: only $ONLY (run-bench.sh --only)")

TITLES=("What" "Median" "Throughput" "Peak RSS" "vs baseline" "Hearth speed-up" "Note")

format_row ()
{
  local what seconds rate rss ratio up note
  IFS=$SEP read -r _ what seconds rate rss ratio up note <<< "$1"
  [ -z "$seconds" ] || seconds=$(seconds_text "$seconds")
  [ -z "$rss" ] || rss="$(rss_mib "$rss") MiB"
  [ -z "$up" ] || up="${up}x"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$what" "$seconds" "$rate" "$rss" "$ratio" "$up" "$note"
}

formatted_rows ()
{
  local last='' r section
  for r in "${ROWS[@]}"; do
    section=${r%%"$SEP"*}
    if [ "$section" != "$last" ]; then
      printf '#\t%s\n' "$section"
      last=$section
    fi
    format_row "$r"
  done
}

print_text ()
{
  printf '%s\n' "${HEADER[@]}"
  echo
  { (IFS=$'\t'; echo "${TITLES[*]}"); formatted_rows; } | awk -F'\t' '
    { n++; for (i = 1; i <= NF; i++) { cell[n, i] = $i; if ($1 != "#" && length ($i) > w[i]) w[i] = length ($i) } nf[n] = NF }
    END {
      for (r = 1; r <= n; r++) {
        if (cell[r, 1] == "#") { printf "\n%s\n", cell[r, 2]; continue }
        line = ""
        for (i = 1; i <= nf[r]; i++) {
          align = (i == 1 || i == 7) ? "-" : ""
          line = line sprintf ("%" align w[i] "s  ", cell[r, i])
        }
        sub (/ +$/, "", line)
        print line
      }
    }'
}

print_markdown ()
{
  printf -- '- %s\n' "${HEADER[@]}"
  echo
  { (IFS=$'\t'; echo "${TITLES[*]}"); formatted_rows; } | awk -F'\t' '
    NR == 1 { print "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " | " $6 " | " $7 " |"
              print "|---|--:|--:|--:|--:|--:|---|"; next }
    $1 == "#" { print "| **" $2 "** | | | | | | |"; next }
    { line = "|"; for (i = 1; i <= 7; i++) { c = $i; gsub (/\|/, "\\|", c); line = line " " c " |" } print line }'
}

echo
print_text
if [ -n "$OUT" ]; then
  print_markdown > "$OUT"
  note "Markdown written to $OUT"
fi
