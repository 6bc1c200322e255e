# Shared by bin/serve and bin/demo (sourced, not run): builds the jars a user runs (registry
# server, `modelyard` CLI, device updater, demo) when their sources changed, and only then.
# Expects to be sourced from the repository root; defines modelyard_build_if_needed.

MODELYARD_JARS=(registry-server/target/quarkus-app/quarkus-run.jar cli/target/modelyard-cli.jar
                device-updater/target/modelyard-updater.jar demo/target/modelyard-demo.jar)
# What they are built from (the build also compiles test-support: a test dependency of the server).
MODELYARD_SOURCES=(pom.xml wire cli test-support registry-server migrations device-updater demo)
MODELYARD_STAMP=target/build.stamp
MODELYARD_BUILD_LOG=target/build.log

# A stamp of the sources: the content hash of every file the jars are built from. In a git
# checkout that is cheap and exact: git already knows the hash of each tracked file (its index
# entry); only files modified since, and untracked files that are not ignored, are hashed here.
# Switching branches back and forth, touching a file or committing an edit does not rebuild; any
# change of content does. Outside git there is no stamp, and the newest modification time of the
# sources is compared with the jar's instead.
source_stamp() {
  {
    git ls-files -m -o --exclude-standard -- "${MODELYARD_SOURCES[@]}" | while IFS= read -r f; do
      if [ -f "$f" ]; then printf 'W %s\t%s\n' "$(git hash-object -- "$f")" "$f"; else printf 'W deleted\t%s\n' "$f"; fi
    done
    git ls-files -s -- "${MODELYARD_SOURCES[@]}" | awk -F '\t' '{ split($1, e, " "); printf "I %s\t%s\n", e[2], $2 }'
  } | awk -F '\t' '
      /^W / { w[$2] = substr($1, 3); next }
      !($2 in w) { w[$2] = substr($1, 3) }
      END { for (p in w) if (w[p] != "deleted") print w[p] "\t" p }' | LC_ALL=C sort | git hash-object --stdin
}

in_git() {
  git rev-parse --is-inside-work-tree >/dev/null 2>&1
}

# $1: "true" to build whatever the stamp says.
needs_build() {
  [ "$1" = true ] && return 0
  local jar
  for jar in "${MODELYARD_JARS[@]}"; do [ -f "$jar" ] || return 0; done
  if in_git; then
    [ "$(cat "$MODELYARD_STAMP" 2>/dev/null)" != "$(source_stamp)" ]
  else
    [ -n "$(find "${MODELYARD_SOURCES[@]}" -name target -prune -o -type f -newer "${MODELYARD_JARS[0]}" -print | head -n 1)" ]
  fi
}

# Builds when needed; $1: the calling command's name for messages, $2: "true" to force a build.
modelyard_build_if_needed() {
  local me=$1 force=${2:-false}
  if ! needs_build "$force"; then
    echo "$me: sources unchanged since the last build, not rebuilding"
    return 0
  fi
  command -v mvn >/dev/null 2>&1 || { echo "$me: mvn not found; install Maven 3.8 or newer" >&2; exit 1; }
  local started=$SECONDS stamp=""
  if in_git; then stamp=$(source_stamp); fi
  mkdir -p target
  echo "$me: building Modelyard (the first build downloads dependencies and takes a few minutes; log: $MODELYARD_BUILD_LOG)"
  # The build must not depend on how the server will run: run-time settings in the environment
  # (a port, a data directory) stay out of it, so what it writes is the same for everyone.
  local unset_args=() name
  while IFS= read -r name; do unset_args+=(-u "$name"); done \
    < <(env | sed -n 's/^\(QUARKUS_[A-Za-z0-9_]*\|MODELYARD_[A-Za-z0-9_]*\)=.*/\1/p')
  # Maven's module headers show the progress; everything else goes to the log.
  if ! env ${unset_args[@]+"${unset_args[@]}"} mvn -B -ntp -Dmaven.test.skip=true \
         -pl registry-server,cli,device-updater,demo -am package 2>&1 | tee "$MODELYARD_BUILD_LOG" \
       | while IFS= read -r line; do
           case $line in "[INFO] Building Modelyard"* | "[INFO] Total time"*) echo "  ${line#"[INFO] "}" ;; esac
         done; then
    tail -n 40 "$MODELYARD_BUILD_LOG" >&2
    echo "$me: the build failed (full log: $MODELYARD_BUILD_LOG)" >&2
    exit 1
  fi
  if [ -n "$stamp" ]; then echo "$stamp" > "$MODELYARD_STAMP"; fi
  echo "$me: built in $((SECONDS - started)) s"
}
